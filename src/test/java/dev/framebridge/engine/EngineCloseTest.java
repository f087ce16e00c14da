package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Closing the engine from a thread that was interrupted: everything that writes the counters stops first. */
@Timeout(120)
class EngineCloseTest {
    @TempDir
    Path dir;

    private static Set<Thread> statsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("framebridge-stats"))
                .collect(Collectors.toSet());
    }

    /**
     * A JUnit timeout or an executor's shutdownNow interrupts the thread that then closes the engine. The stats
     * thread must be gone before the counters file is unmapped: its last publish into the unmapped file was a
     * SIGSEGV that killed the test JVM (a loaded run of the suite, EngineSteadyStateTest over its timeout).
     */
    @Test
    void closingOnAnInterruptedThreadStopsTheStatsThreadBeforeTheCountersFileGoes() throws Exception {
        Set<Thread> others = statsThreads();
        EngineHarness h = new EngineHarness(dir, c -> c);
        List<Thread> mine = statsThreads().stream().filter(t -> !others.contains(t)).toList();
        assertEquals(1, mine.size(), "this engine's stats thread: " + mine);
        try (HxfrClient c = h.connect(h.unix); EngineHarness.Pattern p = new EngineHarness.Pattern(160, 120)) {
            for (int i = 0; i < 5; i++) { // something recorded, so the last publish writes every counter
                c.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, i, i == 0);
                assertTrue(c.readAnswer().isFrame());
            }
        }
        Thread.currentThread().interrupt();
        try {
            h.close();
        } finally {
            assertTrue(Thread.interrupted(), "close keeps the caller's interrupt");
        }
        assertFalse(mine.get(0).isAlive(), "the stats thread outlived close, and with it the counters file");
    }
}

package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stat} on the counters of an engine that was killed: says so and exits 1, as its help promises. */
@Timeout(120)
class StatDeadEngineTest {
    @TempDir
    Path dir;

    @Test
    void statOnAKilledEnginesCountersSaysItIsNotRunningAndExitsOne() throws Exception {
        Path counters = dir.resolve("counters.dat");
        Process serve = ServeProcessTest.startServe(dir, "--listen", "unix:" + dir.resolve("fb.sock"), "--counters-file",
                counters.toString(), "--encoder", "x264");
        long pid = serve.pid();
        try {
            ServeProcessTest.awaitFile(counters, serve);
            CliRun alive = CliRun.of("stat", "--counters-file", counters.toString());
            for (int i = 0; i < 200 && alive.err().contains("engine that is starting"); i++) {
                Thread.sleep(20);
                alive = CliRun.of("stat", "--counters-file", counters.toString());
            }
            assertEquals(0, alive.exitCode(), alive.all());
            assertTrue(alive.out().startsWith("framebridge pid " + pid + ", up "), alive.all());
        } finally {
            serve.destroyForcibly(); // SIGKILL: no chance to remove the counters file
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(counters), "a killed engine leaves its counters file behind");
        CliRun dead = CliRun.of("stat", "--counters-file", counters.toString());
        assertEquals(1, dead.exitCode(), dead.all());
        assertTrue(dead.out().startsWith("framebridge pid " + pid + ", NOT RUNNING"), dead.all());
        assertFalse(dead.out().contains(", up "), "no uptime for a dead engine: " + dead.all());
        assertTrue(dead.err().contains("(pid " + pid + ", started ") && dead.err().contains("is not running")
                && dead.err().contains("killed or crashed"), dead.all());
        CliRun watching = CliRun.of("stat", "--watch", "--counters-file", counters.toString());
        assertEquals(1, watching.exitCode(), "--watch ends too: " + watching.all());
    }

    @Test
    void aPidReusedByAProcessStartedAfterTheEngineIsNotTheEngine() {
        ProcessHandle me = ProcessHandle.current();
        long started = me.info().startInstant().orElseThrow().toEpochMilli();
        assertTrue(StatCommand.engineAlive(me.pid(), started + 500), "this process wrote a file after it started");
        assertFalse(StatCommand.engineAlive(me.pid(), started - 3_600_000), "a file an hour older than the process"
                + " with its pid was written by another process that had the same pid");
        assertFalse(StatCommand.engineAlive(Long.MAX_VALUE / 2, started), "no such process");
    }
}

package dev.framebridge.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.X264Backend;
import dev.framebridge.qemu.ConsoleFrame;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the scanouts frees each push source's memory only after its thread has ended, even when the closing
 * thread is interrupted (a JUnit timeout, an executor shutting down): freeing it under a running encode is a SIGSEGV.
 */
@Timeout(60)
class ScanoutsCloseTest {

    @Test
    void closeOnAnInterruptedThreadWaitsForEveryPushThreadAndKeepsTheInterrupt() {
        ConsoleFrame console = new ConsoleFrame(0);
        try {
            Scanouts scanouts = Scanouts.of(List.of(console), (c, w, h) -> true, 30, new X264Backend(), line -> { });
            assertEquals(1, pushThreadsAlive(), "one push thread per console");
            Thread.currentThread().interrupt();
            scanouts.close();
            assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
            assertEquals(0, pushThreadsAlive(), "close returned with a push thread still running");
        } finally {
            Thread.interrupted();
            console.release();
        }
    }

    private static long pushThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("framebridge-push-") && t.isAlive()).count();
    }
}

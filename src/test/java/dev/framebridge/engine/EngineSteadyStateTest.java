package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.framebridge.client.HxfrClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot path allocates nothing per frame in steady state: bytes allocated by the engine's own agent threads
 * (I/O and encode) across hundreds of frames after warm-up, measured by the JVM's per-thread allocation counter.
 */
@Timeout(120)
class EngineSteadyStateTest {
    @TempDir
    Path dir;

    @Test
    void agentsAllocateNothingPerFrameInSteadyState() throws Exception {
        assertNoAllocationPerFrame(c -> c.encodeAgents(1).idle("yield"));
    }

    @Test
    void defaultIdleStrategyParksWithoutAllocating() throws Exception {
        // The default parks between frames (epoll, LockSupport): that path is rarely run, so never C2-compiled
        // in a test this short; it must not allocate even so. Inline encoding keeps the round trips quick.
        assertNoAllocationPerFrame(c -> c.encodeAgents(0));
    }

    private void assertNoAllocationPerFrame(java.util.function.UnaryOperator<EngineConfig> layout) throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Fast round trips keep the 14,000 frames of this test quick; parking adds no per-frame work of its own.
        try (EngineHarness h = new EngineHarness(dir, layout);
             HxfrClient client = h.connect(h.unix);
             EngineHarness.Pattern p = new EngineHarness.Pattern(64, 48)) {
            // Warm-up long enough for C2 to compile the per-frame paths (escape analysis removes the FFM
            // downcalls' temporary segments only in C2-compiled code), then measure.
            int warmup = 12_000;
            for (int i = 0; i < warmup; i++) {
                client.sendFrame(p.frame(i % 8), p.bytes(), p.width, p.height, p.format, p.stride, i, i % 60 == 0);
                client.readAnswer();
            }
            List<Thread> agents = h.engine.agentThreads();
            long[] before = new long[agents.size()];
            for (int t = 0; t < agents.size(); t++) {
                before[t] = mx.getThreadAllocatedBytes(agents.get(t).threadId());
            }
            int frames = 2_000;
            for (int i = 0; i < frames; i++) {
                client.sendFrame(p.frame(i % 8), p.bytes(), p.width, p.height, p.format, p.stride, warmup + i, i % 60 == 0);
                client.readAnswer();
            }
            StringBuilder report = new StringBuilder();
            long total = 0;
            for (int t = 0; t < agents.size(); t++) {
                long bytes = mx.getThreadAllocatedBytes(agents.get(t).threadId()) - before[t];
                total += bytes;
                report.append(agents.get(t).getName()).append('=').append(bytes).append(" B ");
            }
            System.out.println("engine agents allocated over " + frames + " frames: " + report);
            // One object per frame anywhere would be ≥ 16 B × 2000 = 32000 B. The bound leaves room for the
            // once-a-second counter publication and nothing per frame.
            assertTrue(total < 8192, "agents allocated " + total + " B over " + frames + " frames: " + report);
        }
    }

    @Test
    void idleEngineParksItsThreadsInsteadOfSpinning() throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EngineHarness h = new EngineHarness(dir, c -> c.encodeAgents(2))) {
            Thread.sleep(500); // past the spin-then-yield phase
            List<Thread> agents = h.engine.agentThreads();
            long before = 0;
            for (Thread t : agents) {
                before += mx.getThreadCpuTime(t.threadId());
            }
            long wallStart = System.nanoTime();
            Thread.sleep(2_000);
            long wall = System.nanoTime() - wallStart;
            long after = 0;
            for (Thread t : agents) {
                after += mx.getThreadCpuTime(t.threadId());
            }
            double share = (after - before) / (double) wall;
            System.out.printf("idle engine: %d agent threads used %.2f%% of one core%n", agents.size(), share * 100);
            // A spinning agent would use ~100% of a core each; parked ones wake 10 times a second for housekeeping.
            assertTrue(share < 0.05, "idle agents used " + share * 100 + "% of a core");
        }
    }
}

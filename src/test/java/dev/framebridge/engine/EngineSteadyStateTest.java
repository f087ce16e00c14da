package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Each layout takes 14,000 round trips (C2 must compile the per-frame path before it is measured) and two tests run
 * two layouts each: on two loaded cores those two took 111 and 118 s, hence 300 s allowed, not 120.
 */
@Timeout(300)
class EngineSteadyStateTest {
    @TempDir
    Path dir;

    @Test
    void agentsAllocateNothingPerFrameInSteadyState() throws Exception {
        assertNoAllocationPerFrame(c -> c.encodeAgents(1).idle("yield"));
    }

    @Test
    void defaultIdleStrategyAllocatesNothingInEitherLayout() throws Exception {
        // The default parks between frames (epoll, LockSupport): that path is rarely run, so never C2-compiled
        // in a test this short; it must not allocate even so — inline, and with an encode thread of its own.
        assertNoAllocationPerFrame(c -> c.encodeAgents(0));
        assertNoAllocationPerFrame(c -> c.encodeAgents(1));
    }

    @Test
    void severalIoAgentsAllocateNothingPerFrameInEitherLayout() throws Exception {
        // Two guests, one on each I/O agent (newcomers go to the agent with the most free sessions), frames sent to
        // them in turn: both agents' threads are measured, inline and each with an encode thread of its own.
        assertNoAllocationPerFrame(c -> c.ioAgents(2).encodeAgents(0), 2);
        assertNoAllocationPerFrame(c -> c.ioAgents(2).encodeAgents(2), 2);
    }

    private void assertNoAllocationPerFrame(java.util.function.UnaryOperator<EngineConfig> layout) throws Exception {
        assertNoAllocationPerFrame(layout, 1);
    }

    /** @param guests clients sending in turn (frame i goes to guest i % guests); the frame counts are the totals */
    private void assertNoAllocationPerFrame(java.util.function.UnaryOperator<EngineConfig> layout, int guests)
            throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Fast round trips keep the 14,000 frames of this test quick; parking adds no per-frame work of its own.
        HxfrClient[] clients = new HxfrClient[guests];
        try (EngineHarness h = new EngineHarness(dir, layout);
             // 256x256 BGRA (~280 KB with padded rows) is more than a Unix socket's default buffer: every frame
             // arrives in several reads, so the partial-read, idle and convert-as-rows-arrive paths are all measured.
             EngineHarness.Pattern p = new EngineHarness.Pattern(256, 256)) {
            for (int g = 0; g < guests; g++) {
                clients[g] = h.connect(h.unix);
            }
            // Warm-up long enough for C2 to compile the per-frame paths (escape analysis removes the FFM
            // downcalls' temporary segments only in C2-compiled code), then measure.
            int warmup = 12_000;
            for (int i = 0; i < warmup; i++) {
                HxfrClient client = clients[i % guests];
                client.sendFrame(p.frame(i % 8), p.bytes(), p.width, p.height, p.format, p.stride, i, i / guests % 60 == 0);
                client.readAnswer();
            }
            // Five windows of 400 frames: one object per frame anywhere would put every window at ≥ 16 B × 400
            // = 6400 B. A one-off event (a late JIT deoptimisation, a class initialised on first use) can
            // land in a window, so the median window is what must be (near) zero.
            List<Thread> agents = h.engine.agentThreads();
            long[] windows = new long[5];
            int frame = warmup;
            for (int w = 0; w < windows.length; w++) {
                long before = ThreadAllocations.sum(mx, agents);
                for (int i = 0; i < 400; i++, frame++) {
                    HxfrClient client = clients[frame % guests];
                    client.sendFrame(p.frame(frame % 8), p.bytes(), p.width, p.height, p.format, p.stride, frame,
                            frame / guests % 60 == 0);
                    client.readAnswer();
                }
                windows[w] = ThreadAllocations.sum(mx, agents) - before;
            }
            System.out.println("engine agents " + agents.stream().map(Thread::getName).toList()
                    + " allocated per 400-frame window: " + java.util.Arrays.toString(windows) + " B");
            long[] sorted = windows.clone();
            java.util.Arrays.sort(sorted);
            assertTrue(sorted[2] < 1024, "median window allocated " + sorted[2] + " B over 400 frames: "
                    + java.util.Arrays.toString(windows));
        } finally {
            for (HxfrClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    void idleAgentsParkOnEveryIdleCycleInsteadOfSpinning() throws Exception {
        // Counted, not timed: once past its short spin-then-yield phase, an idle agent's idle strategy parks on
        // every cycle with nothing to do, so its cycles and parks grow together. A spinning agent would run
        // millions of cycles and never park; a loaded machine only makes both counts grow more slowly.
        try (EngineHarness h = new EngineHarness(dir, c -> c.encodeAgents(2))) {
            List<DutyCycleCounts> agents = h.engine.dutyCycles();
            assertEquals(3, agents.size(), "the I/O agent and two encode agents");
            for (DutyCycleCounts a : agents) {
                EngineSystemTest.waitFor(() -> a.parks() >= 2);
            }
            long[] cycles = new long[agents.size()];
            long[] parks = new long[agents.size()];
            for (int i = 0; i < cycles.length; i++) {
                parks[i] = agents.get(i).parks();
                cycles[i] = agents.get(i).cycles();
            }
            for (DutyCycleCounts a : agents) {
                long from = a.parks();
                EngineSystemTest.waitFor(() -> a.parks() >= from + 5);
            }
            for (int i = 0; i < cycles.length; i++) {
                long moreCycles = agents.get(i).cycles() - cycles[i];
                long moreParks = agents.get(i).parks() - parks[i];
                System.out.printf("idle agent %d: %d cycles, %d parks%n", i, moreCycles, moreParks);
                // One cycle per park, plus at most one spin-then-yield run should something wake it with work.
                assertTrue(moreCycles <= moreParks + Engine.DEFAULT_SPINS + Engine.DEFAULT_YIELDS + 2,
                        "agent " + i + " ran " + moreCycles + " cycles for " + moreParks + " parks");
            }
        }
    }
}

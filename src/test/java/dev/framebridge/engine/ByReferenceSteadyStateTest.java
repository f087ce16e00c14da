package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.MemfdPool;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames by reference allocate nothing per frame once warm, like frames in band: the agents' own allocation counters
 * across windows of FRAME_REFs read from a memfd pool — BGRA converted from the pool into the encoder's planes (inline
 * layout), NV12 handed to x264 in place (an encode thread of its own).
 */
@Timeout(180)
class ByReferenceSteadyStateTest {
    private static final int W = 256;
    private static final int H = 256;

    @TempDir
    Path dir;

    @Test
    void bgraByReferenceAllocatesNothingPerFrameInline() throws Exception {
        assertNoAllocationPerFrame(c -> c.encodeAgents(0), PixelFormat.BGRA8888);
    }

    @Test
    void nv12ByReferenceAllocatesNothingPerFrameWithAnEncodeThread() throws Exception {
        assertNoAllocationPerFrame(c -> c.encodeAgents(1), PixelFormat.NV12);
    }

    private void assertNoAllocationPerFrame(java.util.function.UnaryOperator<EngineConfig> layout, PixelFormat format)
            throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int stride = (int) format.planeRowBytes(0, W) + 64;
        long frame = format.frameBytes(stride, H);
        long area = (frame + 4095) & ~4095L;
        long[] planes = {0, (long) stride * H};
        int[] strides = {stride, stride};
        try (EngineHarness h = new EngineHarness(dir, layout);
             HxfrClient client = h.connect(h.unix);
             MemfdPool pool = MemfdPool.create("steady", 8 * area)) {
            client.hello(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF);
            int id = client.registerPool(pool);
            MemorySegment pixels = pool.segment();
            for (long i = 0; i + 8 <= pixels.byteSize(); i += 8) {
                pixels.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L); // 8 different frames
            }
            int warmup = 12_000;
            for (int i = 0; i < warmup; i++) {
                client.sendFrameRef(id, (i % 8) * area, format, W, H, planes, strides, i, i % 60 == 0);
                client.readAnswer();
            }
            List<Thread> agents = h.engine.agentThreads();
            long[] windows = new long[5];
            int n = warmup;
            for (int w = 0; w < windows.length; w++) {
                long before = ThreadAllocations.sum(mx, agents);
                for (int i = 0; i < 400; i++, n++) {
                    client.sendFrameRef(id, (n % 8) * area, format, W, H, planes, strides, n, n % 60 == 0);
                    client.readAnswer();
                }
                windows[w] = ThreadAllocations.sum(mx, agents) - before;
            }
            System.out.println("by reference " + format + ": engine agents allocated per 400-frame window: "
                    + Arrays.toString(windows) + " B");
            long[] sorted = windows.clone();
            Arrays.sort(sorted);
            assertTrue(sorted[2] < 1024, "median window allocated " + sorted[2] + " B over 400 frames: "
                    + Arrays.toString(windows));
        }
    }
}

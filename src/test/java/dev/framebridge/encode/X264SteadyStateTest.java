package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot-path promise: once warm, {@link X264Encoder#encode} allocates nothing on the Java heap. Measured with the
 * per-thread allocation counter over five windows of 200 frames (the frames themselves are made beforehand).
 *
 * <p>The median window is asserted, not every window: while the JIT is still settling a window occasionally shows
 * one ~1 KB one-off (seen once at frame ~800 in exploration, then zeros for thousands of frames). Allocating even a
 * single 16-byte object per frame puts every window at ≥ 3200 bytes, so the median still catches it.
 */
class X264SteadyStateTest {
    private static final int WARM_FRAMES = 1500;
    private static final int WINDOW_FRAMES = 200;
    private static final int WINDOWS = 5;
    private static final long ALLOWED_BYTES = 256;

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "NV12"})
    void encodeAllocatesNothingOnceWarm(PixelFormat format) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TestVideo video = new TestVideo(320, 240);
        int stride = TestVideo.paddedStride(format, video.width);
        try (Arena arena = Arena.ofShared();
             X264Encoder encoder = new X264Encoder(EncoderConfig.defaults(320, 240, format).withKeyintMax(50))) {
            MemorySegment[] frames = new MemorySegment[8];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = video.frame(arena, format, stride, i);
            }
            EncodedFrame out = new EncodedFrame();
            long pts = 0;
            for (int i = 0; i < WARM_FRAMES; i++) {
                encoder.encode(frames[i & 7], stride, pts += 33_333_333L, (i % 97) == 0, out);
            }
            long[] allocated = new long[WINDOWS];
            long start = System.nanoTime();
            for (int w = 0; w < WINDOWS; w++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < WINDOW_FRAMES; i++) {
                    encoder.encode(frames[i & 7], stride, pts += 33_333_333L, (i % 97) == 0, out);
                }
                allocated[w] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            double msPerFrame = (System.nanoTime() - start) / 1e6 / (WINDOWS * WINDOW_FRAMES);
            long[] sorted = allocated.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "x264 %s 320x240 steady state: bytes allocated per %d frames %s, %.2f ms/frame%n",
                    format, WINDOW_FRAMES, Arrays.toString(allocated), msPerFrame);
            assertTrue(sorted[WINDOWS / 2] <= ALLOWED_BYTES, format + ": encode allocates in steady state: "
                    + Arrays.toString(allocated) + " bytes per " + WINDOW_FRAMES + " frames");
        }
    }
}

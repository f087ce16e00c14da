package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
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
 * The hot-path promise for the libavcodec backend (libx264 through libavcodec): once warm, encode allocates
 * nothing on the Java heap — pointers as longs, struct members read through one all-memory segment, the output
 * left in the packet. Measured as {@link X264SteadyStateTest} measures x264: per-thread allocated bytes over five
 * windows of 200 frames, the median window asserted.
 */
class AvcodecSteadyStateTest {
    private static final int WARM_FRAMES = 1500;
    private static final int WINDOW_FRAMES = 200;
    private static final int WINDOWS = 5;
    private static final long ALLOWED_BYTES = 256;

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "RGBA8888", "NV12"})
    void encodeAllocatesNothingOnceWarm(PixelFormat format) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TestVideo video = new TestVideo(320, 240);
        int stride = TestVideo.paddedStride(format, video.width);
        EncoderConfig config = EncoderConfig.defaults(320, 240, format).withKeyintMax(50);
        try (Arena arena = Arena.ofShared();
             Encoder encoder = new AvcodecBackend(AvcodecCodec.LIBX264).open(config)) {
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
            System.out.printf(Locale.ROOT, "libavcodec libx264 %s 320x240 steady state: bytes allocated per %d frames %s,"
                    + " %.2f ms/frame%n", format, WINDOW_FRAMES, Arrays.toString(allocated), msPerFrame);
            assertTrue(sorted[WINDOWS / 2] <= ALLOWED_BYTES, format + ": encode allocates in steady state: "
                    + Arrays.toString(allocated) + " bytes per " + WINDOW_FRAMES + " frames");
        }
    }
}

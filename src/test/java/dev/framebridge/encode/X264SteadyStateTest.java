package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot-path promise: once warm, {@link X264Encoder#encode} allocates nothing on the Java heap. Measured by
 * {@link AllocationWindows} (the frames themselves are made beforehand); the median window is asserted.
 */
class X264SteadyStateTest {
    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "NV12"})
    void encodeAllocatesNothingOnceWarm(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(320, 240);
        int stride = TestVideo.paddedStride(format, video.width);
        try (Arena arena = Arena.ofShared();
             X264Encoder encoder = new X264Encoder(EncoderConfig.defaults(320, 240, format).withKeyintMax(50))) {
            MemorySegment[] frames = new MemorySegment[8];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = video.frame(arena, format, stride, i);
            }
            EncodedFrame out = new EncodedFrame();
            AllocationWindows.Result r = AllocationWindows.measure(
                    (i, pts) -> encoder.encode(frames[i & 7], stride, pts, (i % 97) == 0, out));
            System.out.printf(Locale.ROOT, "x264 %s 320x240 steady state: bytes allocated per %d frames %s, %.2f ms/frame%n",
                    format, AllocationWindows.WINDOW_FRAMES, r.windows(), r.msPerFrame());
            assertTrue(r.median() <= AllocationWindows.ALLOWED_BYTES, format + ": encode allocates in steady state: "
                    + r.windows() + " bytes per " + AllocationWindows.WINDOW_FRAMES + " frames");
        }
    }
}

package dev.framebridge.encode;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames by reference on the libavcodec path (the one the GPU encoders share), run with libx264 through libavcodec:
 * planes anywhere, each with its own padded stride, give exactly the H.264 the same pixels give through
 * {@link Encoder#encode}; a DMA-BUF is declined (only h264_vaapi imports one) without touching the output, so the
 * caller reads it with the CPU.
 */
class AvcodecPlanesTest {
    private static final long FRAME_NS = 33_333_333L;
    private final Arena arena = Arena.ofShared();
    private final AvcodecBackend backend = new AvcodecBackend(AvcodecCodec.LIBX264);

    @AfterEach
    void close() {
        arena.close();
    }

    /** Plane p of a frame laid out as encode() takes it, copied to {@code offsets[p]} with rows {@code strides[p]} apart. */
    private MemorySegment relayout(MemorySegment frame, PixelFormat format, int stride, int width, int height,
                                   long[] offsets, int[] strides) {
        MemorySegment out = arena.allocate(1_500_000, 64);
        out.fill((byte) 0x5C);
        int[] srcStride = {stride, format == PixelFormat.I420 ? (stride + 1) / 2 : stride, (stride + 1) / 2};
        long[] srcPlane = {0, (long) stride * height, (long) stride * height + (long) srcStride[1] * ((height + 1) / 2)};
        for (int p = 0; p < format.planes(); p++) {
            for (long y = 0; y < format.planeRows(p, height); y++) {
                MemorySegment.copy(frame, srcPlane[p] + y * srcStride[p], out, offsets[p] + y * strides[p],
                        format.planeRowBytes(p, width));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void planesAnywhereEncodeToTheSameBytesAsTheContiguousFrame(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(160, 120);
        int stride = TestVideo.paddedStride(format, video.width);
        EncoderConfig config = EncoderConfig.defaults(video.width, video.height, format).withBitrate(1_000_000)
                .withKeyintMax(10).withThreads(1); // one thread: x264's sliced threads with VBV are not deterministic
        int[] strides = new int[3];
        for (int p = 0; p < 3; p++) {
            strides[p] = (int) format.planeRowBytes(p, video.width) + 96 - 32 * p;
        }
        long[] offsets = {1_000_003, 333, 700_001}; // planes in reverse order, far apart, at odd offsets
        try (Encoder contiguous = backend.open(config); Encoder inPlace = backend.open(config)) {
            EncodedFrame a = new EncodedFrame();
            EncodedFrame b = new EncodedFrame();
            FramePlanes planes = new FramePlanes();
            for (int t = 0; t < 8; t++) {
                MemorySegment frame = video.frame(arena, format, stride, t);
                MemorySegment moved = relayout(frame, format, stride, video.width, video.height, offsets, strides);
                contiguous.encode(frame, stride, t * FRAME_NS, t == 5, a);
                planes.clear();
                for (int p = 0; p < format.planes(); p++) {
                    planes.plane(p, moved.address() + offsets[p], strides[p]);
                }
                inPlace.encodePlanes(planes, t * FRAME_NS, t == 5, b);
                assertArrayEquals(a.accessUnit().toArray(JAVA_BYTE), b.accessUnit().toArray(JAVA_BYTE),
                        format + " frame " + t + ": by planes differs from contiguous");
                assertEquals(a.keyframe(), b.keyframe());
            }
        }
    }

    @Test
    void aDmaBufIsDeclinedByASoftwareEncoderAndTheOutputIsUntouched() throws Exception {
        try (Encoder encoder = backend.open(EncoderConfig.defaults(64, 48, PixelFormat.NV12))) {
            MemorySegment frame = new TestVideo(64, 48).frame(arena, PixelFormat.NV12, 64, 0);
            FramePlanes planes = new FramePlanes().plane(0, frame.address(), 64).plane(1, frame.address() + 64 * 48, 64);
            EncodedFrame out = new EncodedFrame();
            assertEquals(DmaBufFrame.NOT_THIS_ENCODER, encoder.encodeDmaBuf(new DmaBufFrame().set(5, frame.address(),
                    frame.byteSize()), planes, 0, true, out));
            assertEquals(0, out.length(), "nothing was encoded");
            assertEquals(null, encoder.dmaBufRefusal());
            encoder.encodePlanes(planes, 0, true, out);
            assertEquals(true, out.keyframe());
        }
    }

    @Test
    void refusesTooFewPlanesOrAStrideShorterThanARowAsX264Does() throws Exception {
        try (Encoder encoder = backend.open(EncoderConfig.defaults(64, 64, PixelFormat.NV12))) {
            MemorySegment buf = arena.allocate(64 * 96);
            FramePlanes planes = new FramePlanes().clear().plane(0, buf.address(), 64);
            assertEquals("NV12 needs 2 planes, the frame has 1", assertThrows(EncoderException.class,
                    () -> encoder.encodePlanes(planes, 0, false, new EncodedFrame())).getMessage());
            planes.plane(1, buf.address() + 64 * 64, 63);
            assertEquals("plane 1 of the NV12 frame is at " + (buf.address() + 64 * 64) + " with stride 63; a row needs"
                    + " 64 bytes", assertThrows(EncoderException.class,
                    () -> encoder.encodePlanes(planes, 0, false, new EncodedFrame())).getMessage());
        }
    }
}

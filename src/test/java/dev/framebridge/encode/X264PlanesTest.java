package dev.framebridge.encode;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames read in place from planes anywhere ({@link Encoder#encodePlanes}, the by-reference path) give exactly the
 * H.264 that the same pixels give through {@link Encoder#encode}: the planes are moved apart, each with its own padded
 * stride, and the bytes out must not change.
 */
class X264PlanesTest {
    private static final long FRAME_NS = 33_333_333L;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    /** Copies plane p of a frame laid out as encode() takes it to {@code offsets[p]} in a new buffer, rows {@code strides[p]} apart. */
    private MemorySegment relayout(MemorySegment frame, PixelFormat format, int stride, int width, int height,
                                   long[] offsets, int[] strides, long size) {
        MemorySegment out = arena.allocate(size, 64);
        out.fill((byte) 0x5C);
        long[] srcPlane = new long[3];
        int[] srcStride = {stride, format == PixelFormat.I420 ? (stride + 1) / 2 : stride, (stride + 1) / 2};
        srcPlane[1] = (long) stride * height;
        srcPlane[2] = srcPlane[1] + (long) srcStride[1] * ((height + 1) / 2);
        for (int p = 0; p < format.planes(); p++) {
            long row = format.planeRowBytes(p, width);
            for (long y = 0; y < format.planeRows(p, height); y++) {
                MemorySegment.copy(frame, srcPlane[p] + y * srcStride[p], out, offsets[p] + y * strides[p], row);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void planesAnywhereEncodeToTheSameBytesAsTheContiguousFrame(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(320, 180);
        int stride = TestVideo.paddedStride(format, video.width);
        EncoderConfig config = EncoderConfig.defaults(video.width, video.height, format).withBitrate(2_000_000).withKeyintMax(10)
                .withThreads(1); // byte equality needs one thread: sliced threads under VBV vary from run to run on a busy machine
        int[] strides = {
            (int) format.planeRowBytes(0, video.width) + 128,
            (int) format.planeRowBytes(1, video.width) + 64,
            (int) format.planeRowBytes(2, video.width) + 32
        };
        // planes in reverse order, far apart, at odd offsets
        long[] offsets = {1_000_003, 333, 700_001};
        try (X264Encoder contiguous = new X264Encoder(config); X264Encoder inPlace = new X264Encoder(config)) {
            EncodedFrame a = new EncodedFrame();
            EncodedFrame b = new EncodedFrame();
            FramePlanes planes = new FramePlanes();
            for (int t = 0; t < 12; t++) {
                MemorySegment frame = video.frame(arena, format, stride, t);
                MemorySegment moved = relayout(frame, format, stride, video.width, video.height, offsets, strides, 1_500_000);
                contiguous.encode(frame, stride, t * FRAME_NS, t == 5, a);
                planes.clear();
                for (int p = 0; p < format.planes(); p++) {
                    planes.plane(p, moved.address() + offsets[p], strides[p]);
                }
                inPlace.encodePlanes(planes, t * FRAME_NS, t == 5, b);
                assertArrayEquals(a.accessUnit().toArray(JAVA_BYTE), b.accessUnit().toArray(JAVA_BYTE),
                        format + " frame " + t + ": by planes differs from contiguous");
                assertEquals(a.keyframe(), b.keyframe());
                assertEquals(a.pts(), b.pts());
            }
        }
    }

    @Test
    void refusesTooFewPlanesOrAStrideShorterThanARow() throws Exception {
        EncoderConfig config = EncoderConfig.defaults(64, 64, PixelFormat.NV12);
        try (X264Encoder encoder = new X264Encoder(config)) {
            MemorySegment buf = arena.allocate(64 * 96);
            FramePlanes planes = new FramePlanes().clear().plane(0, buf.address(), 64);
            EncoderException one = assertThrows(EncoderException.class,
                    () -> encoder.encodePlanes(planes, 0, false, new EncodedFrame()));
            assertEquals("NV12 needs 2 planes, the frame has 1", one.getMessage());
            planes.plane(1, buf.address() + 64 * 64, 63);
            EncoderException row = assertThrows(EncoderException.class,
                    () -> encoder.encodePlanes(planes, 0, false, new EncodedFrame()));
            assertTrue(row.getMessage().endsWith("with stride 63; a row needs 64 bytes"), row.getMessage());
        }
    }
}

package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot-path promise for the libavcodec backend (libx264 through libavcodec): once warm, encode allocates
 * nothing on the Java heap — pointers as longs, struct members read through one all-memory segment, the output
 * left in the packet. Measured by {@link AllocationWindows}, as x264 is: the median window asserted.
 */
class AvcodecSteadyStateTest {
    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "RGBA8888", "NV12", "I420"})
    void encodeAllocatesNothingOnceWarm(PixelFormat format) throws Exception {
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
            AllocationWindows.Result r = AllocationWindows.measure(
                    (i, pts) -> encoder.encode(frames[i & 7], stride, pts, (i % 97) == 0, out));
            System.out.printf(Locale.ROOT, "libavcodec libx264 %s 320x240 steady state: bytes allocated per %d frames %s,"
                    + " %.2f ms/frame%n", format, AllocationWindows.WINDOW_FRAMES, r.windows(), r.msPerFrame());
            assertTrue(r.median() <= AllocationWindows.ALLOWED_BYTES, format + ": encode allocates in steady state: "
                    + r.windows() + " bytes per " + AllocationWindows.WINDOW_FRAMES + " frames");
        }
    }

    /**
     * The engine's path for a DMA-BUF frame on a GPU-encoder session whose encoder declines the import (libx264 here,
     * as after a failover or on NVENC/QSV): offered through the failover wrapper (the listener counts the outcome),
     * then read from its planes in place — nothing allocated per frame once warm either.
     */
    @org.junit.jupiter.api.Test
    void aDeclinedDmaBufFrameReadFromItsPlanesAllocatesNothingOnceWarm() throws Exception {
        TestVideo video = new TestVideo(320, 240);
        int stride = 384;
        java.util.concurrent.atomic.AtomicLong declined = new java.util.concurrent.atomic.AtomicLong();
        FailoverEncoder.Listener listener = new FailoverEncoder.Listener() {
            @Override
            public void onFailover(String from, String to, String reason) {
                throw new AssertionError("no failover expected: " + reason);
            }

            @Override
            public void onDmaBufFrame(int outcome) {
                declined.incrementAndGet();
            }
        };
        EncoderConfig config = EncoderConfig.defaults(320, 240, PixelFormat.NV12).withKeyintMax(50);
        try (Arena arena = Arena.ofShared();
             Encoder encoder = FailoverBackend.around(new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264),
                     Integer.MAX_VALUE), new X264Backend(), listener).open(config)) {
            FramePlanes[] planes = new FramePlanes[8];
            DmaBufFrame[] buffers = new DmaBufFrame[8];
            for (int i = 0; i < 8; i++) {
                MemorySegment frame = video.frame(arena, PixelFormat.NV12, stride, i);
                planes[i] = new FramePlanes().plane(0, frame.address(), stride)
                        .plane(1, frame.address() + stride * 240L, stride);
                buffers[i] = new DmaBufFrame().set(42, frame.address(), frame.byteSize());
            }
            EncodedFrame out = new EncodedFrame();
            AllocationWindows.Result r = AllocationWindows.measure((i, pts) -> {
                if (encoder.encodeDmaBuf(buffers[i & 7], planes[i & 7], pts, false, out) != DmaBufFrame.ENCODED) {
                    encoder.encodePlanes(planes[i & 7], pts, false, out);
                }
            });
            System.out.printf(Locale.ROOT, "libavcodec libx264 NV12 320x240 DMA-BUF declined, read from planes: bytes"
                    + " allocated per %d frames %s%n", AllocationWindows.WINDOW_FRAMES, r.windows());
            assertTrue(declined.get() == AllocationWindows.WARM_FRAMES
                    + (long) AllocationWindows.WINDOWS * AllocationWindows.WINDOW_FRAMES, "every frame's outcome counted");
            assertTrue(r.median() <= AllocationWindows.ALLOWED_BYTES, "allocates in steady state: " + r.windows());
        }
    }
}

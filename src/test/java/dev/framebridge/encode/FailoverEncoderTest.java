package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session whose encoder breaks mid-stream goes on with x264 from the frame that failed: every frame still gets
 * an access unit, the switch is exactly one IDR with SPS/PPS, the whole stream decodes in ffmpeg, and the listener
 * hears of it once. The encoder that breaks is a real one (libx264 through libavcodec, the GPU encoders' path) made
 * to fail at frame N as a lost device would.
 */
class FailoverEncoderTest {
    private static final long FRAME_NS = 33_333_333L;
    private static final int SWITCH_AT = 12;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final List<String> failovers = new ArrayList<>();
    private Encoder encoder;

    @AfterEach
    void close() {
        if (encoder != null) {
            encoder.close();
        }
        arena.close();
    }

    private Encoder open(EncoderConfig config, int failAt) throws EncoderException {
        EncoderBackend backend = FailoverBackend.around(
                new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264), failAt), new X264Backend(),
                (from, to, reason) -> failovers.add(from + "→" + to + ": " + reason));
        encoder = backend.open(config);
        return encoder;
    }

    @Test
    void aBrokenEncoderHandsOverToX264AtTheFailingFrameWithOneIdrAndTheStreamDecodes() throws Exception {
        TestVideo video = new TestVideo(320, 240);
        int frames = 30;
        Encoder e = open(EncoderConfig.defaults(320, 240, PixelFormat.BGRA8888).withKeyintMax(1000), SWITCH_AT);
        int stride = TestVideo.paddedStride(PixelFormat.BGRA8888, video.width);
        Stream stream = new Stream();
        EncodedFrame out = new EncodedFrame();
        for (int t = 0; t < frames; t++) {
            e.encode(video.frame(arena, PixelFormat.BGRA8888, stride, t), stride, t * FRAME_NS, false, out);
            stream.add(out);
            assertEquals(t < SWITCH_AT ? "libx264" : "x264", e.name(), "encoder after frame " + t);
        }
        assertEquals(List.of(0, SWITCH_AT), stream.keyframeIndexes(), "one IDR at the start, one at the switch");
        assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(stream.accessUnits.get(SWITCH_AT))),
                "the switch's IDR carries SPS/PPS: " + AnnexB.nalTypes(stream.accessUnits.get(SWITCH_AT)));
        assertEquals(1, failovers.size(), failovers.toString());
        assertTrue(failovers.get(0).startsWith("libx264→x264: libx264 lost its device"), failovers.get(0));
        assertEquals(SWITCH_AT * FRAME_NS, stream.pts.get(SWITCH_AT), "the failed frame's pts comes back");

        Path file = stream.write(dir.resolve("failover.h264"));
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(frames, probed.size(), "every frame decodes, across the switch");
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            if (probed.get(i).key()) {
                keys.add(i);
            }
        }
        assertEquals(List.of(0, SWITCH_AT), keys, "ffprobe's keyframes");
        byte[] decoded = Ffmpeg.decode(file, "yuv420p");
        int frameBytes = 320 * 240 * 3 / 2;
        double worst = 99;
        for (int t = 0; t < frames; t++) {
            byte[] dec = java.util.Arrays.copyOfRange(decoded, t * frameBytes, (t + 1) * frameBytes);
            worst = Math.min(worst, TestVideo.psnr(video.referenceI420(t), dec, 0, 320 * 240));
        }
        assertTrue(worst >= 32, "worst frame luma PSNR across the switch " + worst + " dB");
    }

    @Test
    void aFrameTheCallerGotWrongIsAnErrorNotAFailover() throws Exception {
        Encoder e = open(EncoderConfig.defaults(64, 48, PixelFormat.NV12), 1000);
        MemorySegment tooShort = arena.allocate(64 * 48);
        EncoderException thrown = assertThrows(EncoderException.class,
                () -> e.encode(tooShort, 64, 0, false, new EncodedFrame()));
        assertFalse(thrown instanceof EncoderBrokenException);
        assertEquals("libx264", e.name());
        assertEquals(List.of(), failovers);
    }

    @Test
    void aFrameConvertedAheadFailsOverToo() throws Exception {
        TestVideo video = new TestVideo(128, 96);
        Encoder e = open(EncoderConfig.defaults(128, 96, PixelFormat.RGBA8888), 2);
        int stride = TestVideo.paddedStride(PixelFormat.RGBA8888, 128);
        MemorySegment nv12 = arena.allocate(RgbToNv12.bytes(128, 96), 64);
        EncodedFrame out = new EncodedFrame();
        List<Boolean> keys = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            MemorySegment frame = video.frame(arena, PixelFormat.RGBA8888, stride, t);
            assertEquals(0, RgbToNv12.convertRows(PixelFormat.RGBA8888, frame.address(), stride, 128, 96,
                    nv12.address(), 0, 96));
            e.encodeConverted(nv12, t * FRAME_NS, false, out);
            keys.add(out.keyframe());
        }
        assertEquals(List.of(true, false, true, false, false), keys);
        assertEquals(1, failovers.size());
    }

    @Test
    void whenX264CannotTakeOverEitherTheErrorSaysBoth() throws Exception {
        EncoderBackend noX264 = new X264Backend("libx264.so.999", "libx264-999", 164);
        EncoderBackend backend = FailoverBackend.around(
                new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264), 0), noX264,
                (from, to, reason) -> failovers.add(to));
        encoder = backend.open(EncoderConfig.defaults(64, 48, PixelFormat.NV12));
        MemorySegment frame = new TestVideo(64, 48).frame(arena, PixelFormat.NV12, 64, 0);
        EncoderException e = assertThrows(EncoderException.class,
                () -> encoder.encode(frame, 64, 0, false, new EncodedFrame()));
        assertTrue(e.getMessage().contains("libx264 failed (libx264 lost its device") && e.getMessage().contains(
                "x264 could not take over: x264 unavailable: libx264.so.999 not found"), e.getMessage());
        assertEquals(List.of(), failovers);
        assertThrows(EncoderException.class, () -> encoder.encode(frame, 64, 0, false, new EncodedFrame()));
    }

    /** Counts what a FailoverEncoder tells its listener about DMA-BUF frames, as the engine's counters do. */
    private static final class DmaBufListener implements FailoverEncoder.Listener {
        final int[] outcomes = new int[4];
        final List<String> refusals = new ArrayList<>();
        final List<String> failovers = new ArrayList<>();

        @Override
        public void onFailover(String from, String to, String reason) {
            failovers.add(from + "→" + to);
        }

        @Override
        public void onDmaBufFrame(int outcome) {
            outcomes[outcome]++;
        }

        @Override
        public void onDmaBufRefused(String encoder, String reason) {
            refusals.add(encoder + ": " + reason);
        }
    }

    /**
     * The engine's path for a frame from a DMA-BUF pool, on a session whose GPU encoder breaks: offered to the encoder
     * first (libx264 declines, as every encoder but h264_vaapi does), then read in place from its planes — which is
     * where the break comes, and x264 takes over from an IDR. Every frame is counted as read by the CPU because the
     * encoder imports none; nothing is refused.
     */
    @Test
    void framesFromPlanesFailOverWithOneIdrAndEveryDmaBufOutcomeIsCounted() throws Exception {
        TestVideo video = new TestVideo(160, 120);
        DmaBufListener listener = new DmaBufListener();
        encoder = FailoverBackend.around(new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264), 4), new X264Backend(),
                listener).open(EncoderConfig.defaults(160, 120, PixelFormat.NV12).withKeyintMax(1000));
        int stride = 192;
        FramePlanes planes = new FramePlanes();
        DmaBufFrame buffer = new DmaBufFrame();
        EncodedFrame out = new EncodedFrame();
        Stream stream = new Stream();
        for (int t = 0; t < 10; t++) {
            MemorySegment frame = video.frame(arena, PixelFormat.NV12, stride, t);
            planes.clear().plane(0, frame.address(), stride).plane(1, frame.address() + stride * 120L, stride);
            buffer.set(99, frame.address(), frame.byteSize());
            assertEquals(DmaBufFrame.NOT_THIS_ENCODER, encoder.encodeDmaBuf(buffer, planes, t * FRAME_NS, false, out));
            encoder.encodePlanes(planes, t * FRAME_NS, false, out);
            stream.add(out);
        }
        assertEquals(List.of(0, 4), stream.keyframeIndexes());
        assertEquals(List.of("libx264→x264"), listener.failovers);
        assertEquals(10, listener.outcomes[DmaBufFrame.NOT_THIS_ENCODER]);
        assertEquals(0, listener.outcomes[DmaBufFrame.ENCODED] + listener.outcomes[DmaBufFrame.REFUSED]);
        assertEquals(List.of(), listener.refusals);
        assertEquals(10, Ffmpeg.probe(stream.write(dir.resolve("planes.h264"))).size());
    }

    /**
     * A driver that refuses the import: the session's listener hears the reason once and every refused frame is
     * counted; the frames themselves go on through the CPU path. (The refusing encoder is x264 wrapped to refuse, as a
     * VA driver would: no machine here has one to refuse for real.)
     */
    @Test
    void aRefusedImportIsReportedOncePerSessionAndCountedPerFrame() throws Exception {
        DmaBufListener listener = new DmaBufListener();
        Encoder x264 = new X264Backend().open(EncoderConfig.defaults(64, 48, PixelFormat.NV12));
        Encoder refusing = new Encoder() {
            @Override
            public String name() {
                return "h264_vaapi";
            }

            @Override
            public EncoderConfig config() {
                return x264.config();
            }

            @Override
            public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
                    throws EncoderException {
                x264.encode(pixels, stride, pts, forceIdr, out);
            }

            @Override
            public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
                    throws EncoderException {
                x264.encodePlanes(planes, pts, forceIdr, out);
            }

            @Override
            public int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr,
                                    EncodedFrame out) {
                return DmaBufFrame.REFUSED;
            }

            @Override
            public String dmaBufRefusal() {
                return "vaCreateSurfaces could not import the NV12 DMA-BUF";
            }

            @Override
            public void reconfigure(EncoderConfig config) throws EncoderException {
                x264.reconfigure(config);
            }

            @Override
            public void close() {
                x264.close();
            }
        };
        encoder = new FailoverEncoder(refusing, new X264Backend(), listener);
        MemorySegment frame = new TestVideo(64, 48).frame(arena, PixelFormat.NV12, 64, 0);
        FramePlanes planes = new FramePlanes().plane(0, frame.address(), 64).plane(1, frame.address() + 64 * 48, 64);
        EncodedFrame out = new EncodedFrame();
        for (int t = 0; t < 5; t++) {
            assertEquals(DmaBufFrame.REFUSED, encoder.encodeDmaBuf(new DmaBufFrame().set(7, frame.address(), 4608),
                    planes, t, false, out));
            encoder.encodePlanes(planes, t, false, out);
            assertTrue(out.length() > 0);
        }
        assertEquals(List.of("h264_vaapi: vaCreateSurfaces could not import the NV12 DMA-BUF"), listener.refusals);
        assertEquals(5, listener.outcomes[DmaBufFrame.REFUSED]);
        assertEquals(List.of(), listener.failovers, "a refused import is no failure of the encoder");
    }

    @Test
    void theFallbackBackendIsNotWrappedAroundItself() {
        X264Backend x264 = new X264Backend();
        assertTrue(FailoverBackend.around(x264, new X264Backend(), (a, b, c) -> { }) == x264);
    }
}

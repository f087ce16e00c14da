package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every encoder backend must do, end to end: our frames in (every pixel format, padded rows, odd sizes, frames
 * converted ahead), Annex-B out, decoded by ffmpeg and compared with what went in (PSNR), an IDR with SPS/PPS in
 * front exactly where asked and every keyint, pts echoed, a size change mid-stream, bad frames refused with the
 * reason while the encoder carries on. x264 and the libavcodec encoders run the same tests (subclasses).
 */
abstract class EncoderConformanceTest {
    protected static final long FRAME_NS = 33_333_333L;

    @TempDir
    protected Path dir;

    protected final Arena arena = Arena.ofShared();
    private final List<Encoder> encoders = new ArrayList<>();

    @AfterEach
    void closeAll() {
        encoders.forEach(Encoder::close);
        arena.close();
    }

    /** Opens the backend under test. */
    protected abstract Encoder openEncoder(EncoderConfig config) throws EncoderException;

    /** The backend's name in printed figures. */
    protected abstract String label();

    /** Checks particular to a backend after a stream was encoded (e.g. x264's contiguity fallbacks). */
    protected void afterStream(Encoder encoder) {
    }

    protected final Encoder open(EncoderConfig config) throws EncoderException {
        Encoder e = openEncoder(config);
        encoders.add(e);
        return e;
    }

    protected static EncoderConfig config(int w, int h, PixelFormat format, int bitrate, int keyint) {
        return EncoderConfig.defaults(w, h, format).withBitrate(bitrate).withKeyintMax(keyint);
    }

    /** Encodes frames [from, to) of the video, forcing an IDR at {@code forceAt} (or -1). */
    protected void encode(Encoder encoder, TestVideo video, PixelFormat format, int from, int to, int forceAt,
                        Stream stream) throws EncoderException {
        int stride = TestVideo.paddedStride(format, video.width);
        EncodedFrame out = new EncodedFrame();
        for (int t = from; t < to; t++) {
            MemorySegment frame = video.frame(arena, format, stride, t);
            encoder.encode(frame, stride, t * FRAME_NS, t == forceAt, out);
            assertTrue(out.length() > 0, "frame " + t + " produced no bytes");
            stream.add(out);
        }
    }

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void everyInputFormatWithPaddedRowsDecodesInFfmpegFaithfullyWithIdrEveryKeyint(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(352, 288);
        int frames = 30;
        int keyint = 10;
        Encoder encoder = open(config(video.width, video.height, format, 8_000_000, keyint));
        Stream stream = new Stream();
        encode(encoder, video, format, 0, frames, -1, stream);

        assertEquals(List.of(0, 10, 20), stream.keyframeIndexes());
        for (int i = 0; i < frames; i++) {
            byte[] au = stream.accessUnits.get(i);
            List<Integer> types = AnnexB.nalTypes(au);
            assertTrue(AnnexB.startsWithStartCode(au), "access unit " + i + " does not start with a start code");
            if (i % keyint == 0) {
                assertTrue(AnnexB.parameterSetsPrecedeIdr(types), "IDR " + i + " without SPS, PPS in front: " + types);
            } else {
                assertFalse(types.contains(AnnexB.IDR) || types.contains(AnnexB.SPS), "frame " + i + ": " + types);
            }
            assertEquals(i * FRAME_NS, stream.pts.get(i), "pts must come back as it went in");
            assertEquals(stream.pts.get(i), stream.dts.get(i), "without B-frames dts equals pts");
        }
        afterStream(encoder);

        Path file = stream.write(dir.resolve(format + ".h264"));
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(frames, probed.size());
        for (int i = 0; i < frames; i++) {
            assertEquals(352, probed.get(i).width());
            assertEquals(288, probed.get(i).height());
            assertEquals(i % keyint == 0, probed.get(i).key(), "ffprobe key_frame of frame " + i);
        }

        double[] psnr = video.psnr(Ffmpeg.decode(file, "yuv420p"), frames);
        System.out.printf(Locale.ROOT, "%s %s 352x288 @8 Mbit/s: PSNR Y %.2f dB, U %.2f dB, V %.2f dB (worst Y %.2f), %d bytes/frame%n",
                label(), format, psnr[0], psnr[1], psnr[2], psnr[3], stream.bytes(0, frames) / frames);
        assertTrue(psnr[0] >= 35, "luma PSNR " + psnr[0] + " dB < 35");
        assertTrue(psnr[3] >= 32, "worst frame luma PSNR " + psnr[3] + " dB < 32");
        assertTrue(psnr[1] >= 35 && psnr[2] >= 35, "chroma PSNR " + psnr[1] + "/" + psnr[2] + " dB < 35");
    }

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "RGBA8888"})
    void redStaysRedAfterEncodeAndDecode(PixelFormat format) throws Exception {
        int w = 128;
        int h = 96;
        int stride = w * 4 + 16;
        MemorySegment frame = arena.allocate((long) stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                long o = (long) y * stride + 4L * x;
                // red-ish and asymmetric: R 230, G 50, B 20 — a swapped channel turns it blue
                frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o, (byte) (format == PixelFormat.BGRA8888 ? 20 : 230));
                frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 1, (byte) 50);
                frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2, (byte) (format == PixelFormat.BGRA8888 ? 230 : 20));
                frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 3, (byte) 255);
            }
        }
        Encoder encoder = open(config(w, h, format, 2_000_000, 30));
        Stream stream = new Stream();
        EncodedFrame out = new EncodedFrame();
        for (int t = 0; t < 3; t++) {
            encoder.encode(frame, stride, t * FRAME_NS, false, out);
            stream.add(out);
        }
        byte[] rgb = Ffmpeg.decode(stream.write(dir.resolve("red.h264")), "rgb24");
        assertEquals(3 * w * h * 3, rgb.length);
        long r = 0;
        long g = 0;
        long b = 0;
        for (int i = 0; i < w * h; i++) {
            r += rgb[3 * i] & 0xFF;
            g += rgb[3 * i + 1] & 0xFF;
            b += rgb[3 * i + 2] & 0xFF;
        }
        int n = w * h;
        String seen = "decoded mean RGB " + r / n + "," + g / n + "," + b / n + " for source 230,50,20";
        assertTrue(Math.abs(r / n - 230) <= 8 && Math.abs(g / n - 50) <= 8 && Math.abs(b / n - 20) <= 8, seen);
    }

    @Test
    void forcedIdrOnAnArbitraryFrameIsAnIdrWithParameterSetsAndNothingElseIs() throws Exception {
        TestVideo video = new TestVideo(320, 240);
        Encoder encoder = open(config(320, 240, PixelFormat.NV12, 4_000_000, 1000));
        Stream stream = new Stream();
        encode(encoder, video, PixelFormat.NV12, 0, 12, 7, stream);
        assertEquals(List.of(0, 7), stream.keyframeIndexes());
        assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(stream.accessUnits.get(7))));
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(stream.write(dir.resolve("idr.h264")));
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < probed.size(); i++) {
            if (probed.get(i).key()) {
                keys.add(i);
            }
        }
        assertEquals(List.of(0, 7), keys);
    }

    @Test
    void sizeChangeMidStreamStartsOverWithNewParameterSetsAndTheStreamStillDecodes() throws Exception {
        Encoder encoder = open(config(320, 240, PixelFormat.BGRA8888, 4_000_000, 1000));
        Stream stream = new Stream();
        encode(encoder, new TestVideo(320, 240), PixelFormat.BGRA8888, 0, 8, -1, stream);
        encoder.reconfigure(encoder.config().withSize(480, 272));
        encode(encoder, new TestVideo(480, 272), PixelFormat.BGRA8888, 8, 16, -1, stream);

        assertEquals(List.of(0, 8), stream.keyframeIndexes());
        assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(stream.accessUnits.get(8))));
        assertFalse(java.util.Arrays.equals(firstNal(stream.accessUnits.get(0), AnnexB.SPS),
                firstNal(stream.accessUnits.get(8), AnnexB.SPS)), "the new size needs a new SPS");
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(stream.write(dir.resolve("resize.h264")));
        assertEquals(16, probed.size());
        for (int i = 0; i < 16; i++) {
            assertEquals(i < 8 ? 320 : 480, probed.get(i).width(), "width of frame " + i);
            assertEquals(i < 8 ? 240 : 272, probed.get(i).height(), "height of frame " + i);
        }
    }

    private static byte[] firstNal(byte[] au, int type) {
        for (int i = 0; i + 3 < au.length; i++) {
            if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 && (au[i + 3] & 0x1F) == type) {
                int end = i + 3;
                while (end + 2 < au.length && !(au[end] == 0 && au[end + 1] == 0 && (au[end + 2] == 1 || au[end + 2] == 0))) {
                    end++;
                }
                return java.util.Arrays.copyOfRange(au, i, end);
            }
        }
        throw new AssertionError("no NAL of type " + type);
    }

    @Test
    void oddSizeIsCroppedToTheEvenSizeBelow() throws Exception {
        TestVideo video = new TestVideo(321, 241);
        Encoder encoder = open(config(321, 241, PixelFormat.BGRA8888, 8_000_000, 30));
        Stream stream = new Stream();
        encode(encoder, video, PixelFormat.BGRA8888, 0, 5, -1, stream);
        Path file = stream.write(dir.resolve("odd.h264"));
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(5, probed.size());
        assertEquals(320, probed.get(0).width());
        assertEquals(240, probed.get(0).height());
        double[] psnr = video.psnr(Ffmpeg.decode(file, "yuv420p"), 5);
        assertTrue(psnr[0] >= 35, "cropped luma PSNR " + psnr[0]);
    }

    @Test
    void aShortFrameIsRefusedWithTheSizeItNeedsAndTheEncoderCarriesOn() throws Exception {
        TestVideo video = new TestVideo(64, 48);
        Encoder encoder = open(config(64, 48, PixelFormat.NV12, 1_000_000, 30));
        MemorySegment tooShort = arena.allocate(64 * 48);
        EncodedFrame out = new EncodedFrame();
        EncoderException e = assertThrows(EncoderException.class, () -> encoder.encode(tooShort, 64, 0, false, out));
        assertTrue(e.getMessage().contains("needs 4608"), e.getMessage());
        EncoderException narrow = assertThrows(EncoderException.class,
                () -> encoder.encode(video.frame(arena, PixelFormat.NV12, 64, 0), 32, 0, false, out));
        assertTrue(narrow.getMessage().contains("stride 32"), narrow.getMessage());
        encoder.encode(video.frame(arena, PixelFormat.NV12, 64, 0), 64, 0, false, out);
        assertTrue(out.keyframe() && out.length() > 0);
    }

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "RGBA8888"})
    void aFrameConvertedAheadEncodesToTheSameBytesAsTheFrameItself(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(354, 290);
        int stride = TestVideo.paddedStride(format, video.width);
        // One thread: x264's output is then a pure function of its input.
        EncoderConfig config = config(video.width, video.height, format, 2_000_000, 30).withThreads(1);
        Encoder direct = open(config);
        Encoder ahead = open(config);
        MemorySegment nv12 = arena.allocate(RgbToNv12.bytes(video.width, video.height), 64);
        EncodedFrame a = new EncodedFrame();
        EncodedFrame b = new EncodedFrame();
        for (int t = 0; t < 12; t++) {
            MemorySegment frame = video.frame(arena, format, stride, t);
            direct.encode(frame, stride, t * FRAME_NS, t == 7, a);
            assertEquals(0, RgbToNv12.convertRows(format, frame.address(), stride, video.width, video.height,
                    nv12.address(), 0, video.height));
            ahead.encodeConverted(nv12, t * FRAME_NS, t == 7, b);
            assertEquals(-1L, a.accessUnit().mismatch(b.accessUnit()), "frame " + t + " differs");
            assertEquals(a.keyframe(), b.keyframe());
        }
    }

    @Test
    void aConvertedFrameIsRefusedByAnEncoderOpenedForYuvAndByOneOfAnotherSize() throws Exception {
        Encoder nv12Encoder = open(config(64, 48, PixelFormat.NV12, 1_000_000, 30));
        MemorySegment image = arena.allocate(RgbToNv12.bytes(64, 48), 64);
        EncoderException e = assertThrows(EncoderException.class,
                () -> nv12Encoder.encodeConverted(image, 0, false, new EncodedFrame()));
        assertTrue(e.getMessage().contains("opened for NV12"), e.getMessage());

        Encoder bigger = open(config(128, 96, PixelFormat.BGRA8888, 1_000_000, 30));
        e = assertThrows(EncoderException.class, () -> bigger.encodeConverted(image, 0, false, new EncodedFrame()));
        assertTrue(e.getMessage().contains("needs " + RgbToNv12.bytes(128, 96)), e.getMessage());
        // and it carries on with a good frame
        MemorySegment good = arena.allocate(RgbToNv12.bytes(128, 96), 64);
        EncodedFrame out = new EncodedFrame();
        bigger.encodeConverted(good, 0, false, out);
        assertTrue(out.length() > 0);
    }

    @Test
    void closedEncoderRefusesFramesInsteadOfCrashing() throws Exception {
        Encoder encoder = open(config(64, 48, PixelFormat.NV12, 1_000_000, 30));
        encoder.close();
        MemorySegment frame = new TestVideo(64, 48).frame(arena, PixelFormat.NV12, 64, 0);
        assertThrows(EncoderException.class, () -> encoder.encode(frame, 64, 0, false, new EncodedFrame()));
    }
}

package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.encode.avcodec.AvcodecEncoder;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libavcodec backend end to end with the software H.264 encoder Debian's libavcodec carries (libx264 through
 * libavcodec: the same AVOptions, frames, packets and send/receive loop the GPU encoders use), held to the same
 * conformance as x264 itself ({@link EncoderConformanceTest}). Debian 12's libavcodec59 has no libopenh264 encoder
 * ({@code ffmpeg -encoders}), so libx264 is the one software encoder this path runs with here.
 */
class AvcodecLibx264EncoderTest extends EncoderConformanceTest {
    private final AvcodecBackend backend = new AvcodecBackend(AvcodecCodec.LIBX264);

    @Override
    protected Encoder openEncoder(EncoderConfig config) throws EncoderException {
        return backend.open(config);
    }

    @Override
    protected String label() {
        return "libavcodec libx264";
    }

    @Test
    void theEncoderHoldsTheRealTimeRecipe() throws Exception {
        AvcodecEncoder encoder = (AvcodecEncoder) open(config(1280, 720, PixelFormat.BGRA8888, 6_000_000, 120)
                .withFrameRate(60, 1));
        assertEquals(0, encoder.optionValue("bf"), "B-frames delay output");
        assertEquals(120, encoder.optionValue("g"));
        assertEquals(6_000_000, encoder.optionValue("b"));
        assertEquals(6_000_000, encoder.optionValue("maxrate"));
        assertEquals(100_000, encoder.optionValue("bufsize"), "one frame of 6 Mbit/s at 60 fps");
        assertEquals(1, encoder.optionValue("forced-idr"));
        assertEquals(0, encoder.optionValue("flags") & 0x400000, "global_header would take SPS/PPS out of band");
    }

    @Test
    void noFrameIsABFrameAndEveryFrameComesBackFromItsOwnCall() throws Exception {
        TestVideo video = new TestVideo(320, 240);
        Encoder encoder = open(config(320, 240, PixelFormat.NV12, 2_000_000, 1000));
        Stream stream = new Stream();
        encode(encoder, video, PixelFormat.NV12, 0, 20, -1, stream);
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(stream.write(dir.resolve("nob.h264")));
        assertEquals(20, probed.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(i == 0 ? "I" : "P", probed.get(i).pictType(), "picture type of frame " + i);
        }
    }

    @Test
    void aBitrateChangeReopensWithAnIdrAndChangesTheOutputSize() throws Exception {
        TestVideo video = new TestVideo(352, 288);
        Encoder encoder = open(config(352, 288, PixelFormat.I420, 6_000_000, 1000));
        Stream stream = new Stream();
        encode(encoder, video, PixelFormat.I420, 0, 30, -1, stream);
        encoder.reconfigure(encoder.config().withBitrate(600_000));
        encode(encoder, video, PixelFormat.I420, 30, 60, -1, stream);
        assertEquals(List.of(0, 30), stream.keyframeIndexes(), "libavcodec reopens on a bitrate change: one IDR there");
        assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(stream.accessUnits.get(30))));
        long high = stream.bytes(10, 30);
        long low = stream.bytes(40, 60);
        System.out.printf(Locale.ROOT, "libavcodec libx264 352x288 I420: %d bytes/frame at 6 Mbit/s, %d at 600 kbit/s%n",
                high / 20, low / 20);
        assertTrue(high > 4 * low, "20 frames took " + high + " bytes at 6 Mbit/s and " + low + " at 600 kbit/s");
        assertEquals(60, Ffmpeg.probe(stream.write(dir.resolve("bitrate.h264"))).size());
    }
}

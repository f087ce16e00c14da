package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** x264 end to end: the conformance every backend passes ({@link EncoderConformanceTest}) and x264's own settings. */
class X264EncoderTest extends EncoderConformanceTest {

    @Override
    protected Encoder openEncoder(EncoderConfig config) throws EncoderException {
        return new X264Encoder(config);
    }

    @Override
    protected String label() {
        return "x264";
    }

    @Override
    protected void afterStream(Encoder encoder) {
        assertEquals(0, ((X264Encoder) encoder).contiguityFallbacks(), "x264's NAL payloads were not contiguous");
    }

    private X264Encoder openX264(EncoderConfig config) throws EncoderException {
        return (X264Encoder) open(config);
    }

    @Test
    void x264RunsWithTheRealTimeRecipeAfterItsOwnAdjustments() throws Exception {
        X264Encoder encoder = openX264(config(1280, 720, PixelFormat.BGRA8888, 6_000_000, 120).withFrameRate(60, 1));
        Map<String, Integer> p = encoder.effectiveParameters();
        assertEquals(1280, p.get("i_width"));
        assertEquals(720, p.get("i_height"));
        assertEquals(dev.framebridge.ffi.X264.X264_CSP_NV12, p.get("i_csp") & dev.framebridge.ffi.X264.X264_CSP_MASK);
        assertEquals(120, p.get("i_keyint_max"));
        assertEquals(0, p.get("i_bframe"), "B-frames delay output");
        assertEquals(0, p.get("rc.i_lookahead"), "lookahead delays output");
        assertEquals(1, p.get("b_repeat_headers"));
        assertEquals(1, p.get("b_annexb"));
        assertEquals(0, p.get("b_vfr_input"));
        assertEquals(60, p.get("i_fps_num"));
        assertEquals(1, p.get("i_fps_den"));
        assertEquals(6000, p.get("rc.i_bitrate"));
        assertEquals(6000, p.get("rc.i_vbv_max_bitrate"));
        assertEquals(100, p.get("rc.i_vbv_buffer_size"), "one frame of 6 Mbit/s at 60 fps");
    }

    @Test
    void bitrateChangeAppliesInPlaceAndChangesTheOutputSize() throws Exception {
        TestVideo video = new TestVideo(352, 288);
        X264Encoder encoder = openX264(config(352, 288, PixelFormat.I420, 6_000_000, 1000));
        Stream stream = new Stream();
        encode(encoder, video, PixelFormat.I420, 0, 30, -1, stream);
        encoder.reconfigure(encoder.config().withBitrate(600_000));
        encode(encoder, video, PixelFormat.I420, 30, 60, -1, stream);
        // x264 applies a reconfig with the next frame, so its parameters show the change only after one
        Map<String, Integer> now = encoder.effectiveParameters();
        assertEquals(List.of(600, 600, 20), List.of(now.get("rc.i_bitrate"), now.get("rc.i_vbv_max_bitrate"),
                now.get("rc.i_vbv_buffer_size")), "x264's bitrate/vbv after reconfig");

        assertEquals(List.of(0), stream.keyframeIndexes(), "a bitrate change must not restart the stream");
        long high = stream.bytes(10, 30);
        long low = stream.bytes(40, 60);
        System.out.printf(Locale.ROOT, "x264 352x288 I420: %d bytes/frame at 6 Mbit/s, %d bytes/frame at 600 kbit/s%n",
                high / 20, low / 20);
        assertTrue(high > 4 * low, "20 frames took " + high + " bytes at 6 Mbit/s and " + low + " at 600 kbit/s");
        assertTrue(low / 20 <= 600_000 / 8 / 30 * 2, "600 kbit/s frames average " + low / 20 + " bytes");
        assertEquals(60, Ffmpeg.probe(stream.write(dir.resolve("bitrate.h264"))).size());
    }
}

package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real-time recipe per encoder, read as the options it sets. */
class AvcodecRecipeTest {

    private static Map<String, String> options(AvcodecCodec codec, EncoderConfig c, AvcodecRecipe.DeviceHints hints)
            throws EncoderException {
        Map<String, String> m = new LinkedHashMap<>();
        for (AvcodecRecipe.Option o : AvcodecRecipe.options(codec, c, hints)) {
            m.put(o.name(), o.value());
        }
        return m;
    }

    @Test
    void everyEncoderGetsNoBFramesCbrWithOneFrameOfVbvAndTheKeyint() throws Exception {
        EncoderConfig c = EncoderConfig.defaults(1920, 1080, PixelFormat.NV12).withBitrate(6_000_000)
                .withFrameRate(60, 1).withKeyintMax(120);
        for (AvcodecCodec codec : AvcodecCodec.values()) {
            Map<String, String> o = options(codec, c, AvcodecRecipe.DeviceHints.DEFAULT);
            assertEquals("0", o.get("bf"), codec + ": B-frames delay output");
            assertEquals("6000000", o.get("b"), codec.toString());
            assertEquals("6000000", o.get("maxrate"), codec.toString());
            assertEquals("100000", o.get("bufsize"), codec + ": one frame of 6 Mbit/s at 60 fps");
            assertEquals("120", o.get("g"), codec.toString());
            assertFalse(o.getOrDefault("flags", "").contains("global_header"), codec + ": SPS/PPS must stay in band");
        }
    }

    @Test
    void eachGpuEncoderGetsItsOneFrameInFlightAndForcedIdrSettings() throws Exception {
        EncoderConfig c = EncoderConfig.defaults(1280, 720, PixelFormat.BGRA8888);
        Map<String, String> vaapi = options(AvcodecCodec.H264_VAAPI, c, new AvcodecRecipe.DeviceHints(true, true));
        assertEquals(List.of("1", "0", "CBR", "1"), List.of(vaapi.get("async_depth"), vaapi.get("idr_interval"),
                vaapi.get("rc_mode"), vaapi.get("low_power")));
        Map<String, String> nvenc = options(AvcodecCodec.H264_NVENC, c, AvcodecRecipe.DeviceHints.DEFAULT);
        assertEquals(List.of("1", "0", "1", "cbr", "ull"), List.of(nvenc.get("zerolatency"), nvenc.get("delay"),
                nvenc.get("forced-idr"), nvenc.get("rc"), nvenc.get("tune")));
        Map<String, String> qsv = options(AvcodecCodec.H264_QSV, c, AvcodecRecipe.DeviceHints.DEFAULT);
        assertEquals(List.of("1", "1", "1", "0"), List.of(qsv.get("async_depth"), qsv.get("forced_idr"),
                qsv.get("low_delay_brc"), qsv.get("look_ahead")));
        Map<String, String> vt = options(AvcodecCodec.H264_VIDEOTOOLBOX, c, AvcodecRecipe.DeviceHints.DEFAULT);
        assertEquals(List.of("1", "0"), List.of(vt.get("realtime"), vt.get("allow_sw")));
        Map<String, String> x264 = options(AvcodecCodec.LIBX264, c, AvcodecRecipe.DeviceHints.DEFAULT);
        assertTrue(x264.get("x264-params").contains("repeat-headers=1") && x264.get("x264-params").contains("annexb=1"));
        assertEquals("slice", x264.get("thread_type"), "frame threads would hold frames back");
    }

    @Test
    void aDriverWithoutCbrGetsVbrCappedAtTheBitrate() throws Exception {
        Map<String, String> o = options(AvcodecCodec.H264_VAAPI, EncoderConfig.defaults(640, 480, PixelFormat.NV12),
                new AvcodecRecipe.DeviceHints(false, false));
        assertEquals("VBR", o.get("rc_mode"));
        assertEquals("0", o.get("low_power"));
        assertEquals(o.get("b"), o.get("maxrate"));
    }

    @Test
    void rgbInputIsLabelledBt601LimitedRangeAndBaselineIsConstrainedOnVaapi() throws Exception {
        EncoderConfig c = EncoderConfig.defaults(640, 480, PixelFormat.RGBA8888).withProfile(66, 31);
        Map<String, String> o = options(AvcodecCodec.H264_VAAPI, c, AvcodecRecipe.DeviceHints.DEFAULT);
        assertEquals("smpte170m", o.get("colorspace"));
        assertEquals("tv", o.get("color_range"));
        assertEquals("constrained_baseline", o.get("profile"));
        assertEquals("3.1", o.get("level"));
        assertEquals("41", options(AvcodecCodec.H264_QSV, c.withProfile(100, 41), AvcodecRecipe.DeviceHints.DEFAULT)
                .get("level"), "QSV takes the codec context's integer level");
    }

    @Test
    void constantQualityIsRefusedForGpuEncodersWithTheReason() {
        EncoderConfig crf = EncoderConfig.defaults(640, 480, PixelFormat.NV12)
                .withRateControl(EncoderConfig.RateControl.CRF);
        EncoderException e = assertThrows(EncoderException.class,
                () -> AvcodecRecipe.options(AvcodecCodec.H264_NVENC, crf, AvcodecRecipe.DeviceHints.DEFAULT));
        assertTrue(e.getMessage().contains("use CBR or VBR"), e.getMessage());
    }
}

package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X264SettingsTest {

    private static Map<String, String> options(EncoderConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        X264Settings.options(c).forEach(o -> m.put(o.name(), o.value()));
        return m;
    }

    @Test
    void cbrIsRealTimeWithAOneFrameVbvBuffer() {
        Map<String, String> o = options(EncoderConfig.defaults(1280, 720, PixelFormat.BGRA8888)
                .withBitrate(6_000_000).withFrameRate(30, 1).withKeyintMax(120));
        assertEquals("0", o.get("bframes"));
        assertEquals("0", o.get("rc-lookahead"));
        assertEquals("0", o.get("sync-lookahead"));
        assertEquals("1", o.get("annexb"));
        assertEquals("1", o.get("repeat-headers"));
        assertEquals("120", o.get("keyint"));
        assertEquals("6000", o.get("bitrate"));
        assertEquals("6000", o.get("vbv-maxrate"));
        assertEquals("200", o.get("vbv-bufsize"));
        assertEquals("smpte170m", o.get("colormatrix"), "RGB input is converted as BT.601 and must say so");
    }

    @Test
    void yuvInputIsNotLabelledWithOurMatrix() {
        assertFalse(options(EncoderConfig.defaults(640, 480, PixelFormat.NV12)).containsKey("colormatrix"));
    }

    @Test
    void profilesMapToX264Names() {
        assertEquals("baseline", X264Settings.profileName(66));
        assertEquals("main", X264Settings.profileName(77));
        assertEquals("high", X264Settings.profileName(100));
    }

    @Test
    void onlyABitrateChangeIsAppliedInPlace() {
        EncoderConfig c = EncoderConfig.defaults(640, 480, PixelFormat.NV12);
        assertTrue(X264Settings.reconfigurableInPlace(c, c.withBitrate(1_000_000)));
        assertFalse(X264Settings.reconfigurableInPlace(c, c.withSize(800, 600)));
        assertFalse(X264Settings.reconfigurableInPlace(c, c.withFormat(PixelFormat.BGRA8888)));
        assertFalse(X264Settings.reconfigurableInPlace(c, c.withFrameRate(60, 1)));
        assertFalse(X264Settings.reconfigurableInPlace(c, c.withProfile(100, 0)));
    }

    @Test
    void oddSizesAreCroppedToEven() {
        EncoderConfig c = EncoderConfig.defaults(1023, 767, PixelFormat.BGRA8888);
        assertEquals(1022, X264Settings.encodedWidth(c));
        assertEquals(766, X264Settings.encodedHeight(c));
    }
}

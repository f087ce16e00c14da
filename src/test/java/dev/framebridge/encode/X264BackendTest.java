package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X264BackendTest {
    private static final EncoderConfig CONFIG = EncoderConfig.defaults(64, 48, PixelFormat.BGRA8888);

    @Test
    void realBackendIsAvailableAndOpensAnEncoder() throws Exception {
        X264Backend backend = new X264Backend();
        assertEquals("x264", backend.name());
        assertNull(backend.unavailableReason());
        try (Encoder encoder = backend.open(CONFIG)) {
            assertEquals("x264", encoder.name());
            assertEquals(CONFIG, encoder.config());
        }
    }

    @Test
    void missingLibraryIsAReasonNamingThePackageAndOpenFailsCleanly() {
        X264Backend backend = new X264Backend("libx264.so.999", "libx264-999", 164);
        String reason = backend.unavailableReason();
        assertTrue(reason.contains("libx264.so.999 not found"), reason);
        assertTrue(reason.contains("apt-get install libx264-999"), reason);
        EncoderException e = assertThrows(EncoderException.class, () -> backend.open(CONFIG));
        assertTrue(e.getMessage().contains("install libx264-999"), e.getMessage());
    }

    @Test
    void anotherX264BuildIsAReasonSayingWhichIsInstalledAndWhichIsSupported() {
        String reason = new X264Backend("libx264.so.164", "libx264-164", 165).unavailableReason();
        assertTrue(reason.contains("is x264 build 164"), reason);
        assertTrue(reason.contains("supports build 165"), reason);
    }

    @Test
    void unknownPresetIsRefusedWithTheValidOnes() {
        EncoderException e = assertThrows(EncoderException.class,
                () -> new X264Encoder(CONFIG.withPreset("warpspeed")));
        assertTrue(e.getMessage().contains("no preset 'warpspeed'") && e.getMessage().contains("ultrafast"),
                e.getMessage());
    }

    @Test
    void aOneByOneFrameIsRefusedBecause420NeedsTwoByTwo() {
        EncoderException e = assertThrows(EncoderException.class,
                () -> new X264Encoder(EncoderConfig.defaults(1, 1, PixelFormat.NV12)));
        assertTrue(e.getMessage().contains("at least 2x2"), e.getMessage());
    }
}

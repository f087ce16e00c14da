package dev.framebridge.encode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderRegistryTest {

    @Test
    void thisBuildRegistersX264Only() {
        assertEquals(List.of("auto", "x264"), EncoderRegistry.standard().names());
    }

    @Test
    void autoOnLinuxChoosesX264AndSaysWhyEachOtherWasSkipped() throws Exception {
        EncoderRegistry registry = new EncoderRegistry(List.of(new X264Backend()), "Linux");
        EncoderRegistry.Selection s = registry.select("auto");
        assertEquals("x264", s.backend().name());
        assertEquals(List.of(
                "videotoolbox: skipped — not this OS (videotoolbox needs macOS, this is Linux)",
                "vaapi: skipped — not implemented on this build",
                "x264: chosen"), s.report());
    }

    @Test
    void autoOnMacSaysVideoToolboxIsNotImplementedYet() throws Exception {
        EncoderRegistry registry = new EncoderRegistry(List.of(new X264Backend()), "Mac OS X");
        List<String> report = registry.select("auto").report();
        assertEquals("videotoolbox: skipped — not implemented on this build", report.get(0));
        assertTrue(report.get(1).startsWith("vaapi: skipped — not this OS"), report.get(1));
    }

    @Test
    void autoWithNoUsableBackendFailsWithEveryReason() {
        EncoderRegistry registry = new EncoderRegistry(
                List.of(new X264Backend("libx264.so.999", "libx264-999", 164)), "Linux");
        EncoderException e = assertThrows(EncoderException.class, () -> registry.select("auto"));
        assertTrue(e.getMessage().contains("x264: skipped — library missing or unusable: libx264.so.999 not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains("vaapi: skipped — not implemented on this build"), e.getMessage());
    }

    @Test
    void explicitNameSelectsThatBackend() throws Exception {
        X264Backend x264 = new X264Backend();
        EncoderRegistry.Selection s = new EncoderRegistry(List.of(x264), "Linux").select("X264");
        assertSame(x264, s.backend());
    }

    @Test
    void knownButUnimplementedNameSaysSo() {
        EncoderException e = assertThrows(EncoderException.class, () -> EncoderRegistry.standard().select("vaapi"));
        assertTrue(e.getMessage().contains("not implemented on this build") || e.getMessage().contains("not this OS"),
                e.getMessage());
        assertTrue(e.getMessage().contains("auto, x264"), e.getMessage());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderRegistry.standard().select("nvenc"));
        assertTrue(e.getMessage().contains("unknown encoder 'nvenc'"), e.getMessage());
        assertTrue(e.getMessage().contains("valid names are auto, x264"), e.getMessage());
    }
}

package dev.framebridge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code framebridge encoders} on this machine: no GPU, so every GPU encoder is skipped with its reason, x264 chosen. */
class EncodersCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsEveryBackendWithItsReasonAndWhatAutoWouldUse() throws Exception {
        Path dri = Files.createDirectory(dir.resolve("dri"));
        Files.createFile(dri.resolve("renderD128"));
        CliRun r = CliRun.of("encoders", "--dri", dri.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("libavcodec 59."), r.all());
        assertTrue(r.out().contains("  h264_videotoolbox  skipped — not this OS"), r.all());
        assertTrue(r.out().contains("  x264               usable (test encode passed); auto chooses it"), r.all());
        assertTrue(r.out().contains("  libx264            usable (test encode passed); by name only"), r.all());
        assertTrue(r.out().contains("  h264_vaapi         skipped — vaGetDisplayDRM gave no display for "
                + dri.resolve("renderD128") + ": it is not a DRM device libva can use"), r.all());
        assertTrue(r.out().contains("VA-API on " + dri.resolve("renderD128") + ": vaGetDisplayDRM gave no display"),
                r.all());
        assertTrue(r.out().contains("serve --encoder auto would use"), r.all());
    }
}

package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.TestPattern;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.frame.PixelFormat;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code encode} and {@code demo} as a user runs them; their H.264 is checked by ffprobe. */
@Timeout(120)
class EncodeAndDemoTest {
    @TempDir
    Path dir;

    private Path rawFrames(PixelFormat format, int w, int h, int frames) throws Exception {
        Path raw = dir.resolve("in." + CliValues.formatName(format));
        try (TestPattern p = new TestPattern(w, h, format); OutputStream out = Files.newOutputStream(raw)) {
            for (int i = 0; i < frames; i++) {
                out.write(p.frame(i).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return raw;
    }

    @Test
    void encodeTurnsRawFramesOfEachFormatIntoDecodableH264() throws Exception {
        for (PixelFormat f : PixelFormat.values()) {
            Path raw = rawFrames(f, 320, 240, 70);
            Path out = dir.resolve("out-" + CliValues.formatName(f) + ".h264");
            CliRun r = CliRun.of("encode", "--in", raw.toString(), "--size", "320x240", "--format",
                    CliValues.formatName(f), "--out", out.toString(), "--keyint", "60");
            assertEquals(0, r.exitCode(), r.all());
            assertTrue(r.out().startsWith("encoded 70 frames 320x240 " + CliValues.formatName(f) + " with x264"), r.all());
            List<Ffmpeg.Frame> frames = Ffmpeg.probe(out);
            assertEquals(70, frames.size(), f + " frames decoded");
            assertTrue(frames.get(0).key() && frames.get(60).key() && !frames.get(1).key(), "IDR every 60");
            assertEquals(320, frames.get(0).width());
            assertEquals(240, frames.get(0).height());
        }
    }

    @Test
    void encodeSaysWhenTheFileDoesNotMatchTheSize() throws Exception {
        Path raw = rawFrames(PixelFormat.BGRA8888, 64, 64, 1);
        CliRun r = CliRun.of("encode", "--in", raw.toString(), "--size", "1920x1080", "--format", "bgra", "--out",
                dir.resolve("x.h264").toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("less than one 1920x1080 bgra frame") && r.err().contains("check --size"), r.all());
        r = CliRun.of("encode", "--in", raw.toString(), "--size", "64x64", "--format", "yuyv", "--out", "x.h264");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("use bgra, rgba, nv12 or i420"), r.all());
    }

    @Test
    void demoWritesAStreamThatDecodesAndSummarisesTheRun() throws Exception {
        Path out = dir.resolve("demo.h264");
        CliRun r = CliRun.of("demo", "--guests", "2", "--frames", "75", "--fps", "0", "--size", "320x240", "--out",
                out.toString(), "--transport", "tcp");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("demo summary: 150 frames from 2 guest(s)"), r.all());
        assertTrue(r.out().matches("(?s).*round trip \\(send frame → H\\.264 back\\): p50 [0-9.]+ ms, p99 [0-9.]+ ms,"
                + " max [0-9.]+ ms.*"), r.all());
        assertTrue(r.out().contains("encoder x264"), r.all());
        List<Ffmpeg.Frame> frames = Ffmpeg.probe(out);
        assertEquals(75, frames.size(), "guest 1's frames in " + out);
        assertTrue(frames.get(0).key() && frames.get(60).key() && !frames.get(59).key(), "keyframe every 60");
    }

    @Test
    void demoShowsProgressEverySecond() throws Exception {
        CliRun r = CliRun.of("demo", "--seconds", "2.5", "--size", "160x120", "--format", "nv12", "--fps", "20",
                "--out", dir.resolve("d.h264").toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("\n    1s  frames ") && r.out().contains("\n    2s  frames "), r.all());
        // 20 fps for 2.5 s, paced: about 50 frames, never many more
        var m = java.util.regex.Pattern.compile("demo summary: (\\d+) frames").matcher(r.out());
        assertTrue(m.find(), r.all());
        int n = Integer.parseInt(m.group(1));
        assertTrue(n >= 35 && n <= 51, "paced at 20 fps for 2.5 s: " + n);
    }
}

package dev.framebridge.encode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** ffmpeg and ffprobe as the independent decoder our H.264 is checked against. */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    public record Frame(boolean key, int width, int height, String pictType) {
    }

    /** Decodes to raw frames of {@code pixFmt} (yuv420p, rgb24, ...), every frame, no rate conversion. */
    public static byte[] decode(Path h264, String pixFmt) throws IOException, InterruptedException {
        Path raw = h264.resolveSibling(h264.getFileName() + "." + pixFmt + ".raw");
        run(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", h264.toString(), "-fps_mode", "passthrough",
                "-f", "rawvideo", "-pix_fmt", pixFmt, raw.toString()));
        return Files.readAllBytes(raw);
    }

    public static List<Frame> probe(Path h264) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-select_streams", "v", "-show_frames",
                "-show_entries", "frame=key_frame,width,height,pict_type", "-of", "compact", h264.toString()));
        List<Frame> frames = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("frame|")) {
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (String part : line.split("\\|")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            frames.add(new Frame("1".equals(kv.get("key_frame")), Integer.parseInt(kv.get("width")),
                    Integer.parseInt(kv.get("height")), kv.get("pict_type")));
        }
        return frames;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", cmd));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
        }
        return text;
    }
}

package dev.framebridge.jmh;

import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/** Command-line arguments of the side-by-side tools ({@code --in f.bgra --size WxH --format bgra --out x.h264}). */
final class FileArgs {
    final Map<String, String> values = new HashMap<>();
    final int width;
    final int height;
    final PixelFormat format;
    final Path in;
    final Path out;

    FileArgs(String[] args, String usage) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException(usage);
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
        if (!values.containsKey("in") || !values.containsKey("size") || !values.containsKey("out")) {
            throw new IllegalArgumentException(usage);
        }
        String[] wh = values.get("size").split("x");
        width = Integer.parseInt(wh[0]);
        height = Integer.parseInt(wh[1]);
        format = switch (values.getOrDefault("format", "bgra")) {
            case "bgra" -> PixelFormat.BGRA8888;
            case "rgba" -> PixelFormat.RGBA8888;
            case "nv12" -> PixelFormat.NV12;
            default -> throw new IllegalArgumentException("--format bgra, rgba or nv12");
        };
        in = Path.of(values.get("in"));
        out = Path.of(values.get("out"));
    }

    int stride() {
        return width * format.bytesPerPixel();
    }

    long frameBytes() {
        return format.frameBytes(stride(), height);
    }

    /** The whole input file, mapped read-only (frames are sent or encoded straight from the page cache). */
    MemorySegment map(Arena arena) throws IOException {
        try (FileChannel c = FileChannel.open(in, StandardOpenOption.READ)) {
            return c.map(FileChannel.MapMode.READ_ONLY, 0, c.size(), arena);
        }
    }

    FileChannel openOut() throws IOException {
        return FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}

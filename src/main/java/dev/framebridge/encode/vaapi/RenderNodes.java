package dev.framebridge.encode.vaapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The DRM render nodes of this machine ({@code /dev/dri/renderD128}, …), in number order: where VA-API (and QSV,
 * which sits on it on Linux) finds a GPU without a display server.
 */
public final class RenderNodes {
    public static final Path DEFAULT_DIRECTORY = Path.of("/dev/dri");

    private RenderNodes() {
    }

    /** The render nodes under {@code directory}; empty when there are none or the directory does not exist. */
    public static List<Path> in(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("renderD"))
                    .sorted((a, b) -> Integer.compare(number(a), number(b)))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Why no render node is there to use, for a probe line. */
    public static String noneReason(Path directory) {
        return Files.isDirectory(directory)
                ? "no render node (" + directory + " has no renderD* device: no GPU with a DRM driver is visible here)"
                : "no render node (" + directory + " does not exist: no GPU with a DRM driver is visible here;"
                + " in a container, pass the device in, e.g. --device /dev/dri)";
    }

    private static int number(Path node) {
        String digits = node.getFileName().toString().substring("renderD".length());
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}

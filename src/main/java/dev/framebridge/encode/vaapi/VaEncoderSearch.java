package dev.framebridge.encode.vaapi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Walks the render nodes and finds the first whose VA driver encodes H.264, or says exactly why none does: no
 * render node, the node would not open, vaInitialize failed, or the driver offers no H.264 encode entrypoint.
 */
public final class VaEncoderSearch {
    private VaEncoderSearch() {
    }

    /** The outcome: a usable node with its capabilities, or (node null) the reason for every node tried. */
    public record Result(Path node, VaCapabilities capabilities, String reason) {
        public boolean found() {
            return node != null;
        }
    }

    /** Searches the render nodes under {@code directory}; {@code accept} may reject a driver (QSV wants Intel's). */
    public static Result search(Path directory, Predicate<VaCapabilities> accept, String rejectedBecause) {
        List<Path> nodes = RenderNodes.in(directory);
        if (nodes.isEmpty()) {
            return new Result(null, null, RenderNodes.noneReason(directory));
        }
        List<String> reasons = new ArrayList<>();
        for (Path node : nodes) {
            try (VaDevice device = VaDevice.open(node)) {
                VaCapabilities caps = device.capabilities();
                String problem = caps.h264Problem();
                if (problem == null && !accept.test(caps)) {
                    problem = rejectedBecause + " (driver: " + caps.vendor() + ")";
                }
                if (problem == null) {
                    return new Result(node, caps, null);
                }
                reasons.add(node + ": " + problem);
            } catch (VaDevice.VaDeviceException e) {
                reasons.add(e.getMessage());
            }
        }
        return new Result(null, null, String.join("; ", reasons));
    }
}

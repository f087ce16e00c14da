package dev.framebridge.cli;

import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.vaapi.RenderNodes;
import dev.framebridge.encode.vaapi.VaDevice;
import dev.framebridge.ffi.LibAvcodec;
import dev.framebridge.ffi.LibAvutil;
import dev.framebridge.ffi.LibVaDrm;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code framebridge encoders}: what this host can encode with, checked the way {@code serve --encoder auto} checks
 * (libraries, device, a real test encode), plus what each VA-API render node says it can do.
 */
@Command(name = "encoders", mixinStandardHelpOptions = true,
        description = "Check every encoder backend on this host (libraries, GPU device, a real test encode) and list"
                + " what each VA-API render node offers.",
        footer = {"", "Each backend gets one line: usable, or skipped with the exact reason (no render node, vaInitialize"
                + " error, no H.264 entrypoint, test encode failed: …). `serve --encoder auto` takes the first usable"
                + " one in this order.",
                "", "Exit codes: 0 at least one backend is usable, 1 none is."})
public final class EncodersCommand implements Callable<Integer> {
    @Option(names = "--dri", paramLabel = "DIR", description = "Where to look for render nodes. Default: ${DEFAULT-VALUE}.")
    Path dri = RenderNodes.DEFAULT_DIRECTORY;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        out.println("encoders on " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ": "
                + libraries());
        List<EncoderRegistry.Status> statuses = EncoderRegistry.standard(dri).statuses();
        String chosen = null;
        for (EncoderRegistry.Status s : statuses) {
            String line = s.usable() ? "usable (test encode passed)" : "skipped — " + s.skipReason();
            if (s.usable() && s.inAuto() && chosen == null) {
                chosen = s.name();
                line += "; auto chooses it";
            } else if (!s.inAuto()) {
                line += "; by name only";
            }
            out.printf("  %-18s %s%n", s.name(), line);
        }
        describeRenderNodes(out);
        if (chosen == null) {
            out.println("no usable encoder: install libx264-164 (x264 runs anywhere)");
            return 1;
        }
        out.println("serve --encoder auto would use " + chosen);
        return 0;
    }

    private static String libraries() {
        String avcodec = LibAvcodec.unavailableReason() == null
                ? "libavcodec " + version(LibAvcodec.avcodec_version()) + ", libavutil " + version(LibAvutil.avutil_version())
                : "libavcodec unusable (" + LibAvcodec.unavailableReason() + ")";
        return avcodec + (LibVaDrm.unavailableReason() == null ? ", libva" : ", libva unusable");
    }

    private static String version(int v) {
        return (v >>> 16) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    private void describeRenderNodes(PrintStream out) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return;
        }
        List<Path> nodes = RenderNodes.in(dri);
        if (nodes.isEmpty()) {
            out.println("VA-API: " + RenderNodes.noneReason(dri));
            return;
        }
        for (Path node : nodes) {
            try (VaDevice device = VaDevice.open(node)) {
                out.println("VA-API " + device.version() + " on " + node + ":");
                for (String line : device.capabilities().describe()) {
                    out.println("  " + line);
                }
                String problem = device.capabilities().h264Problem();
                if (problem != null) {
                    out.println("  " + problem);
                }
            } catch (VaDevice.VaDeviceException e) {
                out.println("VA-API on " + node + ": " + e.getMessage());
            }
        }
    }
}

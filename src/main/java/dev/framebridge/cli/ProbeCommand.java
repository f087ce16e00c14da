package dev.framebridge.cli;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code framebridge probe ENDPOINT}: the manual client that says which hop is broken. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check an HXFR host (or a relay in front of it) hop by hop, as a guest would, with a timeout on"
                + " every wait. One line per step with its time:",
            "  connect   open the connection (any transport)",
            "  ping      PING → PONG round trip (both directions carry bytes)",
            "  frame     one frame with pixels → a decodable keyframe: Annex-B start code, SPS/PPS in front of the"
                    + " IDR, pts echoed (the encoder works)",
            "  stream    --frames more, one request outstanding like vsockenc: fps and round-trip percentiles",
            "With --subscribe N (push mode, serve --qemu-display) frame and stream are replaced by:",
            "  subscribe SUBSCRIBE to scanout N → SUBSCRIBE_RESP success=1",
            "  first     the first pushed frame is a keyframe with SPS/PPS in front",
            "  push      up to --frames pushed frames: their rate and gaps (ends early when the picture stops"
                    + " changing for --timeout)",
            "On failure it names the broken hop and the likely cause, and exits with the code for that class."},
        footer = {"", "Endpoints: unix:PATH, tcp:HOST:PORT, vsock:CID:PORT (from a guest: vsock:2:5000),"
                + " hvsock:UDS_PATH:PORT (Firecracker / Cloud Hypervisor host side).",
            "Examples:",
            "  framebridge probe unix:$XDG_RUNTIME_DIR/framebridge/hxfr.sock",
            "  framebridge probe tcp:127.0.0.1:15937 --frames 300 --size 1920x1080 --json",
            "  framebridge probe unix:$XDG_RUNTIME_DIR/framebridge/hxfr.sock --subscribe 1 --frames 120",
            "",
            "Exit codes:",
            "  0  every step passed",
            "  1  probe itself failed (a bug: please report the message)",
            "  2  bad usage (unknown option, bad endpoint, size or format)",
            "  3  nothing listens at the endpoint (connection refused, or no socket file)",
            "  4  cannot connect otherwise (timeout, permission, no vsock in this kernel, hybrid-vsock refused)",
            "  5  connected, but no answer within --timeout: the listener accepts and nothing answers",
            "     (a relay that forwards one direction only, or a stuck host)",
            "  6  the peer closed or reset the connection instead of answering (a relay that cannot reach its target)",
            "  7  the answer is not HXFR, or not the answer asked for (wrong port, or a stream out of step)",
            "  8  the host answered with an HXFR ERROR (its code and message are printed)",
            "  9  a frame came back but is wrong (no Annex-B start code, no SPS/PPS on the IDR, pts not echoed)"})
public final class ProbeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "Where the host (or relay) listens.")
    String endpoint;

    @Option(names = "--timeout", defaultValue = "2000", paramLabel = "MS",
            description = "Longest wait for any one step (connect, each answer). Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Option(names = "--frames", defaultValue = "60", paramLabel = "N",
            description = "Frames in the stream step (0 skips it). Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(names = "--size", defaultValue = "640x480", paramLabel = "WxH", converter = CliValues.SizeConverter.class,
            description = "Frame size. Default: ${DEFAULT-VALUE}.")
    CliValues.Size size;

    @Option(names = "--format", defaultValue = "bgra", paramLabel = "FMT", converter = CliValues.FormatConverter.class,
            description = "Pixel format sent: bgra, rgba or nv12. Default: bgra.")
    PixelFormat format;

    @Option(names = "--subscribe", paramLabel = "SCANOUT",
            description = "Probe push mode: subscribe to this scanout (1..15; console N-1 of serve --qemu-display's VM)"
                    + " and check what is pushed, instead of sending frames.")
    Integer subscribe;

    @Option(names = "--json", description = "Print one JSON object (steps, failure, stream figures) instead of lines.")
    boolean json;

    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        CliValues.requireWireFormat(cmd, format);
        CliValues.requireEvenForYuv(cmd, format, size);
        CliValues.require(cmd, timeoutMs >= 1, "--timeout " + timeoutMs + " must be at least 1 ms");
        CliValues.require(cmd, subscribe == null || (subscribe >= 1 && subscribe <= 15), "--subscribe " + subscribe
                + " is not a scanout id: use 1..15 (0 is the VM's own display)");
        CliValues.require(cmd, frames >= 0, "--frames " + frames + " must not be negative (0 skips the stream step)");
        Endpoint target;
        try {
            target = Endpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        PrintStream out = System.out;
        if (!json) {
            out.println("probe " + target + " (timeout " + timeoutMs + " ms, " + (subscribe != null ? "push mode: scanout "
                    + subscribe : size + " " + CliValues.formatName(format)) + ")");
        }
        Prober prober = new Prober(target, Duration.ofMillis(timeoutMs), size.width(), size.height(), format, frames,
                step -> {
                    if (!json) {
                        out.printf(Locale.ROOT, "  %-8s %-4s %9.2f ms  %s%n", step.name(), step.ok() ? "ok" : "FAIL",
                                step.millis(), step.detail());
                        out.flush();
                    }
                });
        if (subscribe != null) {
            prober.subscribe(subscribe);
        }
        Prober.Result r = prober.run();
        if (json) {
            out.println(toJson(r));
        } else if (r.ok()) {
            out.println("probe ok: " + target + " answers every hop");
        } else {
            out.println("probe FAILED (exit " + r.exitCode() + ", " + r.failure().id + "): " + r.cause());
        }
        out.flush();
        return r.exitCode();
    }

    static String toJson(Prober.Result r) {
        StringJoiner steps = new StringJoiner(",", "[", "]");
        for (Prober.Step s : r.steps()) {
            steps.add("{\"step\":" + CliValues.json(s.name()) + ",\"ok\":" + s.ok() + ",\"ms\":" + CliValues.num(s.millis())
                    + ",\"detail\":" + CliValues.json(s.detail()) + "}");
        }
        StringBuilder sb = new StringBuilder("{\"endpoint\":").append(CliValues.json(r.endpoint().toString()))
                .append(",\"ok\":").append(r.ok()).append(",\"exitCode\":").append(r.exitCode())
                .append(",\"failure\":").append(r.ok() ? "null" : CliValues.json(r.failure().id))
                .append(",\"cause\":").append(CliValues.json(r.cause()))
                .append(",\"pingMedianMs\":").append(Double.isNaN(r.pingMedianMs()) ? "null" : CliValues.num(r.pingMedianMs()))
                .append(",\"steps\":").append(steps);
        Prober.Stats s = r.stats();
        if (s != null) {
            sb.append(",\"stream\":{\"frames\":").append(s.frames()).append(",\"seconds\":").append(CliValues.num(s.seconds()))
                    .append(",\"fps\":").append(CliValues.num(s.fps())).append(",\"p50Ms\":").append(CliValues.num(s.p50Ms()))
                    .append(",\"p90Ms\":").append(CliValues.num(s.p90Ms())).append(",\"p99Ms\":")
                    .append(CliValues.num(s.p99Ms())).append(",\"maxMs\":").append(CliValues.num(s.maxMs()))
                    .append(",\"bytes\":").append(s.bytes()).append('}');
        }
        return sb.append('}').toString();
    }
}

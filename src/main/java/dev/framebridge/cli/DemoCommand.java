package dev.framebridge.cli;

import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code framebridge demo}: the whole path with nothing else running — an engine in this process on a temporary Unix
 * socket (or loopback TCP), N synthetic guests talking HXFR to it over real sockets, guest 1's stream saved to
 * {@code demo.h264}. A progress line per second, then a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show framebridge working with nothing else running: start the engine in this process, drive it"
                + " with synthetic guests (a moving test pattern; one request outstanding each, like vsockenc;"
                + " a keyframe every --keyint frames) over a real socket, and write guest 1's H.264 to --out.",
            "Prints a line per second while it runs, then frames, fps, round-trip latency p50/p99/max and the"
                    + " encoder chosen. Play the result with: ffplay demo.h264 (or VLC)."},
        footer = {"", "Exit codes: 0 every frame answered, 1 failed (engine could not start, or a guest got no or a"
                + " wrong answer: the message says which), 2 bad usage."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--guests", defaultValue = "1", paramLabel = "N", description = "Synthetic guests, each on its own"
            + " connection. Default: ${DEFAULT-VALUE}.")
    int guests;

    @Option(names = "--size", defaultValue = "1280x720", paramLabel = "WxH", converter = CliValues.SizeConverter.class,
            description = "Frame size. Default: ${DEFAULT-VALUE}.")
    CliValues.Size size;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "N", description = "Frames per second per guest; 0 = as"
            + " fast as answers come. Default: ${DEFAULT-VALUE}.")
    int fps;

    @Option(names = "--format", defaultValue = "bgra", paramLabel = "FMT", converter = CliValues.FormatConverter.class,
            description = "Pixel format the guests send: bgra, rgba or nv12. Default: bgra.")
    PixelFormat format;

    @Option(names = "--seconds", defaultValue = "5", paramLabel = "S", description = "How long to run (unless --frames"
            + " ends it first). Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--frames", defaultValue = "0", paramLabel = "N", description = "Frames per guest; 0 = as many as"
            + " --seconds allows.")
    long frames;

    @Option(names = "--transport", defaultValue = "unix", paramLabel = "unix|tcp", description = "How guests connect:"
            + " a temporary Unix socket or loopback TCP (a free port). Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--keyint", defaultValue = "60", paramLabel = "FRAMES", description = "Guests force a keyframe"
            + " every this many frames (vsockenc's default). Default: ${DEFAULT-VALUE}.")
    int keyint;

    @Option(names = "--encoder", defaultValue = "auto", paramLabel = "NAME", description = "Encoder backend. Default:"
            + " ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--out", defaultValue = "demo.h264", paramLabel = "FILE", description = "Where guest 1's stream"
            + " goes. Default: ${DEFAULT-VALUE} (in the current directory).")
    Path out;

    @Option(names = {"-v", "--verbose"}, description = "Show the engine's own log lines.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        CliValues.requireWireFormat(cmd, format);
        CliValues.requireEvenForYuv(cmd, format, size);
        CliValues.require(cmd, guests >= 1 && guests <= 64, "--guests " + guests + " must be within 1..64");
        CliValues.require(cmd, fps >= 0 && fps <= 1000, "--fps " + fps + " must be within 0..1000 (0 = as fast as"
                + " answers come)");
        CliValues.require(cmd, seconds > 0, "--seconds " + seconds + " must be positive, e.g. 5 or 2.5");
        CliValues.require(cmd, frames >= 0, "--frames " + frames + " must not be negative (0 = as many as --seconds"
                + " allows)");
        CliValues.require(cmd, keyint >= 1, "--keyint " + keyint + " must be at least 1");
        CliValues.require(cmd, transport.equals("unix") || transport.equals("tcp"), "--transport " + transport
                + " unknown: use unix or tcp");
        try {
            AtomicOutput.target(out, "--out");
        } catch (AtomicOutput.CliProblem e) {
            System.err.println("framebridge demo: " + e.getMessage());
            return 1;
        }
        PrintStream stdout = System.out;
        EncoderRegistry.Selection selection;
        try {
            selection = EncoderRegistry.standard().select(encoder);
        } catch (EncoderException | IllegalArgumentException e) {
            System.err.println("framebridge demo: " + e.getMessage());
            return 1;
        }
        Path dir = Files.createTempDirectory("framebridge-demo");
        Endpoint listen = transport.equals("unix") ? Endpoint.parse("unix:" + dir.resolve("hxfr.sock"))
                : Endpoint.parse("tcp:127.0.0.1:0");
        EngineConfig config = new EngineConfig().listen(listen).countersFile(dir.resolve("counters.dat"))
                .keyint(keyint).fps(Math.max(1, fps), 1); // encode threads: as serve's auto
        EngineLog log = new EngineLog(verbose ? System.err : new PrintStream(OutputStream.nullOutputStream()), verbose);
        Engine engine;
        try {
            engine = Engine.start(config, selection.backend(), log);
        } catch (Exception e) {
            System.err.println("framebridge demo: the engine could not start: " + e.getMessage());
            deleteQuietly(dir);
            return 1;
        }
        try (engine; OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            Endpoint endpoint = engine.endpoints().get(0);
            stdout.printf(Locale.ROOT, "demo: engine (%s) on %s; %d guest(s) sending %s %s at %s for %s%n",
                    selection.backend().name(), endpoint, guests, size, CliValues.formatName(format),
                    fps == 0 ? "full speed" : fps + " fps", frames > 0 ? frames + " frames" : seconds + " s");
            return drive(endpoint, file, selection, stdout);
        } finally {
            deleteQuietly(dir);
        }
    }

    private int drive(Endpoint endpoint, OutputStream file, EncoderRegistry.Selection selection, PrintStream stdout)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        Histogram total = new Histogram(3);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<DemoGuest> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int g = 1; g <= guests; g++) {
            DemoGuest guest = new DemoGuest(g, endpoint, size.width(), size.height(), format, fps, keyint, frames,
                    deadline, recorder, done, g == 1 ? file : null);
            all.add(guest);
            Thread t = new Thread(guest, "demo-guest-" + g);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Histogram interval = null;
        long lastFrames = 0;
        int second = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            for (Thread t : threads) {
                t.join(Math.max(1, (start + (second + 1) * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            }
            if (System.nanoTime() - (start + (second + 1) * 1_000_000_000L) >= 0) {
                second++;
                interval = recorder.getIntervalHistogram(interval);
                total.add(interval);
                long now = done.get();
                stdout.printf(Locale.ROOT, "  %3ds  frames %6d  %6.1f fps  round trip p50 %6.2f ms  p99 %6.2f ms%n",
                        second, now, (double) (now - lastFrames), ms(interval.getValueAtPercentile(50)),
                        ms(interval.getValueAtPercentile(99)));
                lastFrames = now;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        total.add(recorder.getIntervalHistogram());
        long framesTotal = done.get();
        stdout.printf(Locale.ROOT, "demo summary: %d frames from %d guest(s) in %.2f s: %.1f fps (%.1f per guest)%n",
                framesTotal, guests, elapsed, framesTotal / elapsed, framesTotal / elapsed / guests);
        stdout.printf(Locale.ROOT, "  round trip (send frame → H.264 back): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(total.getValueAtPercentile(50)), ms(total.getValueAtPercentile(99)), ms(total.getMaxValue()));
        stdout.println("  encoder " + selection.backend().name() + " (" + String.join("; ", selection.report()) + ")");
        int failed = 0;
        for (DemoGuest g : all) {
            if (g.failure() != null) {
                failed++;
                stdout.println("  FAILED: " + g.failure());
            }
        }
        try {
            file.flush();
            stdout.printf(Locale.ROOT, "  wrote %s: guest 1's %d frames, %,d bytes — play it with: ffplay %s%n", out,
                    all.get(0).frames(), Files.size(out), out);
        } catch (IOException e) {
            stdout.println("  FAILED to write " + out + ": " + e.getMessage());
            failed++;
        }
        return failed == 0 ? 0 : 1;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}

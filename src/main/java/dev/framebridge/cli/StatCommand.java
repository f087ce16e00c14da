package dev.framebridge.cli;

import dev.framebridge.engine.CountersFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framebridge stat}: the live counters of a running engine, read from its counters file. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = "Print the live counters and distinct errors of a running `framebridge serve` (another process).",
        footer = {"", "Exit codes: 0 ok, 1 no running engine at the counters file: none there, or the engine that wrote it"
                + " is gone (killed or crashed; its last values are printed), 2 bad usage."})
public final class StatCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--counters-file", paramLabel = "PATH", description = "The engine's counters file. Default: ${DEFAULT-VALUE}.")
    Path countersFile = CountersFile.defaultPath();

    @Option(names = {"-w", "--watch"}, description = "Refresh until interrupted, with rates per second.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1000", paramLabel = "MS", description = "Refresh interval for --watch. Default: ${DEFAULT-VALUE}.")
    long intervalMs;

    @Option(names = "--errors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show the distinct-error log (default on).")
    boolean errors;

    @Override
    public Integer call() throws Exception {
        CliValues.require(spec.commandLine(), intervalMs >= 1, "--interval " + intervalMs + " must be at least 1 ms");
        PrintStream out = System.out;
        CountersFile file;
        if (java.nio.file.Files.isDirectory(countersFile)) {
            System.err.println("framebridge stat: --counters-file " + countersFile + " is a directory: give the file"
                    + " `serve --counters-file` names (default " + CountersFile.defaultPath() + ")");
            return 1;
        }
        try {
            file = CountersFile.open(countersFile);
        } catch (IllegalStateException e) {
            System.err.println("framebridge stat: " + e.getMessage());
            return 1;
        }
        try (file) {
            long[] previous = null;
            while (true) {
                boolean alive = engineAlive(file.pid(), file.startTimeMs());
                long[] now = print(file, out, previous, intervalMs, alive);
                if (!alive) {
                    String engine = "the engine that wrote " + countersFile + " (pid " + file.pid() + ", started "
                            + Instant.ofEpochMilli(file.startTimeMs()) + ")";
                    System.err.println("framebridge stat: " + (java.nio.file.Files.exists(countersFile)
                            ? engine + " is not running: it stopped without removing its counters file (killed or"
                                    + " crashed), so the values above are its last. Start framebridge serve again (it"
                                    + " replaces the file), or remove the file."
                            : engine + " has stopped (it removed its counters file); the values above are its last."));
                    return 1;
                }
                if (!watch) {
                    return 0;
                }
                previous = now;
                Thread.sleep(intervalMs);
                out.print("\033[H\033[2J");
            }
        }
    }

    /**
     * Whether the engine that wrote the file still runs: a process with its pid, started no later than the file
     * (the engine creates it after it starts). A pid alone is not enough: after a crash the number is soon reused.
     */
    static boolean engineAlive(long pid, long fileStartMs) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = p.get().info().startInstant();
        // the process start time is derived from clock ticks since boot: allow a little rounding
        return started.isEmpty() || !started.get().isAfter(Instant.ofEpochMilli(fileStartMs).plusSeconds(2));
    }

    private long[] print(CountersFile file, PrintStream out, long[] previous, long intervalMs, boolean alive) {
        Duration up = Duration.ofMillis(System.currentTimeMillis() - file.startTimeMs());
        if (alive) {
            out.printf("framebridge pid %d, up %s, started %s%n", file.pid(), human(up), Instant.ofEpochMilli(file.startTimeMs()));
        } else {
            out.printf("framebridge pid %d, NOT RUNNING (started %s; these are its last values)%n", file.pid(),
                    Instant.ofEpochMilli(file.startTimeMs()));
        }
        out.printf("listening on %s%n", file.endpoints());
        CountersReader reader = file.reader();
        long[] values = new long[CountersReaderSize.MAX];
        int[] labelWidth = {46}; // the longest label sets the column, so every value lines up
        reader.forEach((value, id, label) -> labelWidth[0] = Math.max(labelWidth[0], label.length()));
        String row = "  %-" + labelWidth[0] + "s %,16d%s%n";
        reader.forEach((value, id, label) -> {
            if (id < values.length) {
                values[id] = value;
            }
            String rate = "";
            if (previous != null && id < previous.length && intervalMs > 0 && !label.contains("(us)") && !label.contains("(level)")
                    && !label.contains("(bytes)") && !label.contains("active") && !label.contains("in flight")) {
                rate = String.format("  %,.1f/s", (value - previous[id]) * 1000.0 / intervalMs);
            }
            out.printf(row, label, value, rate);
        });
        if (errors) {
            StringBuilder sb = new StringBuilder();
            int n = ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, text) -> sb.append(String.format(
                    "  %dx, first %s, last %s: %s%n", count, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last),
                    firstLine(text))));
            out.println(n == 0 ? "distinct errors: none" : "distinct errors (" + n + "):");
            out.print(sb);
        }
        out.flush();
        return values;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.replace("dev.framebridge.engine.EngineCounters$DistinctFailure: ", "");
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" : (s / 3600) + "h" + ((s % 3600) / 60) + "m";
    }

    private static final class CountersReaderSize {
        static final int MAX = 64;
    }
}

package dev.framebridge.cli;

import dev.framebridge.engine.CountersFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framebridge stat}: the live counters of a running engine, read from its counters file. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = "Print the live counters and distinct errors of a running `framebridge serve` (another process).",
        footer = {"", "Exit codes: 0 ok, 1 no running engine at the counters file (the message says where it looked)."})
public final class StatCommand implements Callable<Integer> {
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
        PrintStream out = System.out;
        CountersFile file;
        try {
            file = CountersFile.open(countersFile);
        } catch (IllegalStateException e) {
            System.err.println("framebridge stat: " + e.getMessage());
            return 1;
        }
        try (file) {
            long[] previous = null;
            do {
                if (!ProcessHandle.of(file.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    out.println("(engine pid " + file.pid() + " is no longer running; values are its last)");
                }
                long[] now = print(file, out, previous, intervalMs);
                previous = now;
                if (watch) {
                    Thread.sleep(intervalMs);
                    out.print("\033[H\033[2J");
                }
            } while (watch);
        }
        return 0;
    }

    private long[] print(CountersFile file, PrintStream out, long[] previous, long intervalMs) {
        Duration up = Duration.ofMillis(System.currentTimeMillis() - file.startTimeMs());
        out.printf("framebridge pid %d, up %s, started %s%n", file.pid(), human(up), Instant.ofEpochMilli(file.startTimeMs()));
        out.printf("listening on %s%n", file.endpoints());
        CountersReader reader = file.reader();
        long[] values = new long[CountersReaderSize.MAX];
        reader.forEach((value, id, label) -> {
            if (id < values.length) {
                values[id] = value;
            }
            String rate = "";
            if (previous != null && id < previous.length && intervalMs > 0 && !label.contains("(us)")
                    && !label.contains("(bytes)") && !label.contains("active") && !label.contains("in flight")) {
                rate = String.format("  %,.1f/s", (value - previous[id]) * 1000.0 / intervalMs);
            }
            out.printf("  %-46s %,16d%s%n", label, value, rate);
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

package dev.framebridge.engine;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Lifecycle lines on stderr: listening, connected, closed with reason and totals, errors. Per-message lines only
 * when verbose. Never used per frame on the hot path unless verbose.
 */
public final class EngineLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final PrintStream out;
    private final boolean verbose;

    public EngineLog(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    public void info(String line) {
        out.println(LocalTime.now().format(TIME) + " framebridge: " + line);
    }

    /** Something the operator should act on, though the engine goes on (or the caller decides it cannot). */
    public void warn(String line) {
        out.println(LocalTime.now().format(TIME) + " framebridge: WARNING " + line);
    }

    public void error(String line) {
        out.println(LocalTime.now().format(TIME) + " framebridge: ERROR " + line);
    }

    public boolean verbose() {
        return verbose;
    }

    public void debug(String line) {
        if (verbose) {
            info(line);
        }
    }
}

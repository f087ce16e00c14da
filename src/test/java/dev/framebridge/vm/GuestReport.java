package dev.framebridge.vm;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How a guest-side scenario program reports: facts appended to the scenario's facts file in the work share
 * ({@code key=value}, read back by src/test/vm/run and the JUnit test), and on failure one line saying why in
 * {@code NAME.reason} next to it, which the scenario script turns into its verdict.
 */
final class GuestReport {
    private final Path facts;

    GuestReport(Path facts) {
        this.facts = facts;
    }

    void fact(String key, Object value) {
        String line = key + "=" + value;
        System.out.println("fact: " + line);
        try {
            Files.writeString(facts, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + facts + ": " + e.getMessage(), e);
        }
    }

    /** Fails the scenario with {@code why} unless {@code ok}. */
    static void check(boolean ok, String why) {
        if (!ok) {
            throw new AssertionError(why);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs the scenario; a failure becomes NAME.reason (one line) and exit status 1. */
    void run(Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            System.err.println(trace);
            String why = t instanceof AssertionError ? t.getMessage() : t.toString();
            Path reason = facts.resolveSibling(facts.getFileName().toString().replace(".facts", ".reason"));
            try {
                Files.writeString(reason, why.replace('\n', ' ') + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("cannot write " + reason + ": " + e);
            }
            System.exit(1);
        }
        System.exit(0);
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }
}

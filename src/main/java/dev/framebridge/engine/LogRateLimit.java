package dev.framebridge.engine;

import java.util.Locale;

/**
 * Keeps one kind of repeated log line (a refused connection, a rejected message) from flooding the log: the first
 * few of each window are printed, the rest only counted, and when the window is over one line says how many were
 * held back — "refused (server full) … (and 76,999 more like this in the last 10 s)" — the way agrona's
 * DistinctErrorLog counts repeats of an error instead of storing each. The counters still count every one.
 *
 * <p>I/O agent's thread only; times come from its cycle clock. Callers ask {@link #admit} before building the line,
 * so a held-back line costs no string.
 */
final class LogRateLimit {
    /** Lines of one kind printed per window before the rest are only counted. */
    static final int BURST = 10;
    static final long WINDOW_NS = 10_000_000_000L;

    private final EngineLog log;
    private final String kind;
    private long windowStart;
    private boolean started;
    private int printed;
    private long heldBack;

    /** @param kind what the summary line calls these lines, e.g. "refused (server full)" */
    LogRateLimit(EngineLog log, String kind) {
        this.log = log;
        this.kind = kind;
    }

    /** One more line of this kind at {@code now}: true when it should be printed, false when it is only counted. */
    boolean admit(long now) {
        roll(now);
        if (printed < BURST) {
            printed++;
            return true;
        }
        heldBack++;
        return false;
    }

    /** Housekeeping: once the window is over, says how many lines it held back (if any) and starts a new one. */
    void roll(long now) {
        if (started && now - windowStart < WINDOW_NS) {
            return;
        }
        if (heldBack > 0) {
            log.info(kind + " … (and " + String.format(Locale.ROOT, "%,d", heldBack) + " more like this in the last "
                    + Math.max(1, (now - windowStart) / 1_000_000_000L) + " s)");
        }
        started = true;
        windowStart = now;
        printed = 0;
        heldBack = 0;
    }
}

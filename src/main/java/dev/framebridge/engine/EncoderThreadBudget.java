package dev.framebridge.engine;

import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One budget of encoder threads for the whole host: every open encoder gets {@code max(1, cores / open encoders)}
 * sliced threads, so the sum across sessions tracks the cores instead of each x264 taking all of them (12 sessions
 * on 16 cores ran ~190 x264 threads). An explicit {@code --encoder-threads N} overrides the share.
 *
 * <p>When it is decided: when a session's encoder opens, and again at that session's next IDR (a keyframe the client
 * forced, or the one its keyframe interval is due to place). x264_encoder_reconfig cannot change the thread count,
 * so a changed share reopens x264 right at that IDR, whose frame starts a new stream anyway (SPS/PPS in front):
 * nothing is lost and no extra keyframe is spent. Between IDRs the sum may exceed the cores while a newcomer's
 * neighbours still run their old share — at most one keyframe interval.
 *
 * <p>Shared by every encode agent (their threads call it); counts are atomic. Allocates only when it logs, at an
 * encoder's open or a changed share, never per frame.
 */
final class EncoderThreadBudget {
    private final int explicitThreads;
    private final int cores;
    private final AtomicInteger openEncoders = new AtomicInteger();
    /** Threads of all open encoders together, for {@code stat}; may be null (tests). */
    private final AtomicCounter total;
    private final EngineLog log;
    /** Every encoder gets explicitThreads, 0 included (the backend's default). */
    private final boolean fixed;

    /**
     * @param explicitThreads threads for every encoder (--encoder-threads), or 0 for the share of the cores
     * @param cores           the cores the budget divides (normally the JVM's available processors)
     */
    EncoderThreadBudget(int explicitThreads, int cores, AtomicCounter total, EngineLog log) {
        this(explicitThreads, cores, total, log, false);
    }

    private EncoderThreadBudget(int explicitThreads, int cores, AtomicCounter total, EngineLog log, boolean fixed) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores " + cores + " must be at least 1");
        }
        this.explicitThreads = Math.max(0, explicitThreads);
        this.cores = cores;
        this.total = total;
        this.log = log;
        this.fixed = fixed;
    }

    /** A budget that gives every encoder {@code threads} (0: the backend's own default), as before budgets. */
    static EncoderThreadBudget fixed(int threads) {
        return new EncoderThreadBudget(threads, 1, null, null, true);
    }

    int cores() {
        return cores;
    }

    /** The threads each of {@code encoders} open encoders gets. */
    int share(int encoders) {
        return fixed || explicitThreads > 0 ? explicitThreads : Math.max(1, cores / Math.max(1, encoders));
    }

    /** The share now, for an encoder already open (and counted). */
    int share() {
        return share(openEncoders.get());
    }

    /** An encoder is about to open: it counts from now on; returns its threads. Undo with {@link #notOpened}. */
    int opening() {
        return share(openEncoders.incrementAndGet());
    }

    /** The encoder announced by {@link #opening} failed to open. */
    void notOpened() {
        openEncoders.decrementAndGet();
    }

    /** The encoder announced by {@link #opening} is open with {@code threads}. */
    void opened(Session session, int threads) {
        add(threads);
        setSession(session, threads);
        if (log != null) {
            log.info("session " + session.index + ": encoder opened with " + describe(threads));
        }
    }

    /** A session's encoder was reopened (at an IDR) with another thread count. */
    void changed(Session session, int from, int to) {
        if (from == to) {
            return;
        }
        add(to - from);
        setSession(session, to);
        if (log != null) {
            log.info("session " + session.index + ": encoder reopened at an IDR, " + from + " -> " + describe(to));
        }
    }

    /** A session's encoder, opened with {@code threads}, is closed. */
    void closed(Session session, int threads) {
        openEncoders.decrementAndGet();
        add(-threads);
        setSession(session, 0);
    }

    private String describe(int threads) {
        return threads + (threads == 1 ? " thread" : " sliced threads") + (explicitThreads > 0
                ? " (--encoder-threads " + explicitThreads + ")"
                : " (budget: " + cores + " cores / " + openEncoders.get() + " open encoders)");
    }

    private void add(int threads) {
        if (total != null) {
            total.getAndAddRelease(threads);
        }
    }

    private static void setSession(Session session, int threads) {
        AtomicCounter c = session.encoderThreads;
        if (c != null) {
            c.setRelease(threads);
        }
    }
}

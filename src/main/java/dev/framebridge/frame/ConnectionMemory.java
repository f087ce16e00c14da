package dev.framebridge.frame;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One connection's frame memory: what its slots hold, against the connection's own limit and, through it, the
 * engine's {@link FrameMemoryBudget}. A charge must fit both or takes nothing; the verdict says which limit refused.
 * Reused across the connections of one session index; touched by the I/O agent's thread only.
 */
public final class ConnectionMemory {
    /** A charge (or a frame) fits both limits. */
    public static final int GRANTED = 0;
    /** It would take this connection past its own limit. */
    public static final int OVER_CONNECTION_LIMIT = 1;
    /** It would take all connections together past the engine's limit. */
    public static final int OVER_TOTAL_LIMIT = 2;
    /** The limits allow it but the system would not map the address space (mmap failed). */
    public static final int NO_ADDRESS_SPACE = 3;

    private final FrameMemoryBudget total;
    private final long limit;
    private long used;
    private AtomicCounter gauge;

    public ConnectionMemory(FrameMemoryBudget total, long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("per-connection frame memory limit " + limit + " must be positive");
        }
        this.total = total;
        this.limit = limit;
    }

    public FrameMemoryBudget total() {
        return total;
    }

    public long limit() {
        return limit;
    }

    /** Bytes this connection's slots hold now. */
    public long used() {
        return used;
    }

    /** Starts publishing {@link #used()} to {@code counter} (a session's counter in the counters file; may be null). */
    public void publishTo(AtomicCounter counter) {
        this.gauge = counter;
        publish();
    }

    /** Stops publishing; returns the counter that was published to (for freeing), or null. */
    public AtomicCounter stopPublishing() {
        AtomicCounter c = gauge;
        gauge = null;
        return c;
    }

    /** Whether {@code delta} more bytes would fit both limits now (a negative delta always does). */
    int admits(long delta) {
        if (used + delta > limit) {
            return OVER_CONNECTION_LIMIT;
        }
        if (!total.fits(delta)) {
            return OVER_TOTAL_LIMIT;
        }
        return GRANTED;
    }

    /** Charges both limits, or neither. */
    int charge(long bytes) {
        if (used + bytes > limit) {
            return OVER_CONNECTION_LIMIT;
        }
        if (!total.tryCharge(bytes)) {
            return OVER_TOTAL_LIMIT;
        }
        used += bytes;
        publish();
        return GRANTED;
    }

    /** Memory this connection's slots gave back to the system. */
    void credit(long bytes) {
        used -= bytes;
        total.credit(bytes);
        publish();
    }

    /** Takes over memory a slot already holds (counted in the total): false if it does not fit this connection. */
    boolean adopt(long bytes) {
        if (used + bytes > limit) {
            return false;
        }
        used += bytes;
        publish();
        return true;
    }

    /** A slot leaves this connection keeping its memory (still counted in the total, now as the pool's). */
    void disown(long bytes) {
        used -= bytes;
        publish();
    }

    private void publish() {
        if (gauge != null) {
            gauge.setRelease(used);
        }
    }
}

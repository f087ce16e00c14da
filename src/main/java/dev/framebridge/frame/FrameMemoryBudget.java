package dev.framebridge.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The frame memory of the whole engine: every byte of every frame slot's areas that has been charged (the
 * pixels received so far, their NV12 copy, and the warm reserve kept for the next sessions), against one limit.
 * A {@link ConnectionMemory} charges it chunk by chunk as a frame's bytes arrive; a slot's memory is credited
 * back when it is unmapped. Any thread may charge or credit (lock-free), so several I/O agents can share it.
 */
public final class FrameMemoryBudget {
    private static final VarHandle USED;

    static {
        try {
            USED = MethodHandles.lookup().findVarHandle(FrameMemoryBudget.class, "used", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long limit;
    private final AtomicCounter gauge;
    @SuppressWarnings("unused") // through USED
    private volatile long used;

    /** @param gauge where the bytes in use are published (for {@code stat}); null for none */
    public FrameMemoryBudget(long limit, AtomicCounter gauge) {
        if (limit <= 0) {
            throw new IllegalArgumentException("frame memory limit " + limit + " must be positive");
        }
        this.limit = limit;
        this.gauge = gauge;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return (long) USED.getVolatile(this);
    }

    /** Whether {@code bytes} more would fit now (advisory: another thread may charge in between). */
    boolean fits(long bytes) {
        return used() + bytes <= limit;
    }

    /** Takes {@code bytes} if they fit under the limit; false (and nothing taken) if they do not. */
    boolean tryCharge(long bytes) {
        while (true) {
            long now = (long) USED.getVolatile(this);
            long next = now + bytes;
            if (next > limit) {
                return false;
            }
            if (USED.compareAndSet(this, now, next)) {
                publish();
                return true;
            }
        }
    }

    void credit(long bytes) {
        if (bytes != 0) {
            USED.getAndAdd(this, -bytes);
            publish();
        }
    }

    /**
     * Puts what is used now on the gauge. Not the value this thread's own change produced: another thread may have
     * changed it since and published first, and the older value, written last, would stay on the gauge until the
     * next change. Whoever writes last has checked afterwards that the value is still current, or writes again; the
     * write is volatile (not release) so that check cannot be done before the write is seen.
     */
    private void publish() {
        if (gauge != null) {
            long value;
            do {
                value = used();
                gauge.set(value);
            } while (used() != value);
        }
    }
}

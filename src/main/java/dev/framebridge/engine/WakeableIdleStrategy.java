package dev.framebridge.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins, then yields, then parks until {@link #wake()} (or a safety timeout): lowest latency while busy and
 * ~0% CPU while idle. The producer calls {@link #wake()} after publishing; it costs a volatile read unless the
 * consumer is actually parked.
 */
final class WakeableIdleStrategy implements IdleStrategy {
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(WakeableIdleStrategy.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int spins;
    private final int yields;
    private final long parkNanos;
    private volatile Thread owner;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;
    private int idleCount;
    private final java.util.function.BooleanSupplier hasWork;
    private final DutyCycleCounts duty;

    /**
     * @param hasWork checked after announcing the park, so a publish that raced with it is never missed
     * @param duty    counts each park
     */
    WakeableIdleStrategy(int spins, int yields, long parkNanos, java.util.function.BooleanSupplier hasWork,
                         DutyCycleCounts duty) {
        this.spins = spins;
        this.yields = yields;
        this.parkNanos = parkNanos;
        this.hasWork = hasWork;
        this.duty = duty;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            idleCount = 0;
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        int n = idleCount++;
        if (n < spins) {
            Thread.onSpinWait();
        } else if (n < spins + yields) {
            Thread.yield();
        } else {
            if (owner == null) {
                owner = Thread.currentThread();
            }
            PARKED.setVolatile(this, true);
            if (!hasWork.getAsBoolean()) {
                duty.parked();
                LockSupport.parkNanos(this, parkNanos);
            }
            PARKED.setVolatile(this, false);
        }
    }

    /** Called by a producer after it published work for this consumer. */
    void wake() {
        VarHandle.fullFence(); // the publish must be visible before we read "parked" (Dekker with idle())
        if ((boolean) PARKED.getVolatile(this)) {
            Thread t = owner;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public void reset() {
        idleCount = 0;
    }

    @Override
    public String alias() {
        return "park";
    }
}

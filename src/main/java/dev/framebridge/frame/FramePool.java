package dev.framebridge.frame;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A fixed set of {@link FrameSlot}s shared by all sessions: a session takes its window of slots when it opens and
 * gives them back when it closes, so slots are reused across sessions instead of being made per frame or per
 * connection. Their frame memory is not kept forever: when a session closes, its slots keep their memory only while
 * the pool's warm total stays within the reserve (so the next session of the same size starts without page faults);
 * the rest is unmapped and goes back to the system. Slots with warm memory are handed out first.
 * Shared by the I/O agents: taking and giving (once per session, never per frame) are synchronized.
 */
public final class FramePool {
    private final FrameSlot[] all;
    private final FrameSlot[] warm;
    private int warmCount;
    private final FrameSlot[] cold;
    private int coldCount;
    private final FrameMemoryBudget total;
    private final long reserve;
    private final AtomicCounter warmGauge;
    private long warmBytes;

    /**
     * @param slots     slots in all (max connections × in-flight window)
     * @param total     the engine's frame memory budget, which every slot's memory counts in
     * @param reserve   frame memory the pool may keep for the next sessions once their owners have closed
     * @param warmGauge where the memory kept warm is published (null for none)
     */
    public FramePool(int slots, FrameMemoryBudget total, long reserve, AtomicCounter warmGauge) {
        if (reserve < 0) {
            throw new IllegalArgumentException("frame memory reserve " + reserve + " must not be negative");
        }
        this.all = new FrameSlot[slots];
        this.warm = new FrameSlot[slots];
        this.cold = new FrameSlot[slots];
        for (int i = 0; i < slots; i++) {
            all[i] = new FrameSlot(total);
            cold[i] = all[i];
        }
        coldCount = slots;
        this.total = total;
        this.reserve = reserve;
        this.warmGauge = warmGauge;
    }

    public FrameMemoryBudget total() {
        return total;
    }

    public synchronized int available() {
        return warmCount + coldCount;
    }

    public int capacity() {
        return warm.length;
    }

    /**
     * Takes {@code n} slots into {@code into} for a session whose memory is {@code memory}: warm slots first, their
     * memory now counted in {@code memory} (or released where it would not fit it). False (and nothing taken) when the
     * pool has fewer.
     */
    public synchronized boolean take(FrameSlot[] into, int n, ConnectionMemory memory) {
        if (available() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            FrameSlot slot;
            if (warmCount > 0) {
                slot = warm[--warmCount];
                warm[warmCount] = null;
                warmBytes -= slot.chargedBytes();
            } else {
                slot = cold[--coldCount];
                cold[coldCount] = null;
            }
            slot.attach(memory);
            into[i] = slot;
        }
        publishWarm();
        return true;
    }

    /** The session is gone: its slots come back, keeping their memory while the warm reserve has room. */
    public synchronized void give(FrameSlot[] from, int n) {
        for (int i = 0; i < n; i++) {
            FrameSlot slot = from[i];
            if (slot == null) {
                continue;
            }
            slot.detach();
            slot.resetAnswer();
            long bytes = slot.chargedBytes();
            if (bytes > 0 && warmBytes + bytes <= reserve) {
                warm[warmCount++] = slot;
                warmBytes += bytes;
            } else {
                slot.releaseMemory();
                cold[coldCount++] = slot;
            }
            from[i] = null;
        }
        publishWarm();
    }

    /** Frame memory kept in free slots for the next sessions. */
    public synchronized long warmBytes() {
        return warmBytes;
    }

    private void publishWarm() {
        if (warmGauge != null) {
            warmGauge.setRelease(warmBytes);
        }
    }

    /** Unmaps every slot's memory, taken or not: only once the agents that use the slots have stopped. */
    public synchronized void close() {
        for (FrameSlot slot : all) {
            slot.close();
        }
        warmCount = 0;
        coldCount = 0;
        warmBytes = 0;
        publishWarm();
    }
}

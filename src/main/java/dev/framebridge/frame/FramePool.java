package dev.framebridge.frame;

/**
 * A fixed set of {@link FrameSlot}s shared by all sessions: a session takes its window of slots when it opens
 * and gives them back when it closes, so slots (and their pixel memory) are reused across sessions instead of
 * being allocated per frame or per connection. Used by the I/O agent only.
 */
public final class FramePool {
    private final FrameSlot[] free;
    private int freeCount;
    private final long retainBytes;

    /**
     * @param slots        slots in all (max connections × in-flight window)
     * @param retainBytes  pixel memory a returned slot may keep for the next session; larger areas are freed
     */
    public FramePool(int slots, long retainBytes) {
        free = new FrameSlot[slots];
        for (int i = 0; i < slots; i++) {
            free[i] = new FrameSlot();
        }
        freeCount = slots;
        this.retainBytes = retainBytes;
    }

    public int available() {
        return freeCount;
    }

    public int capacity() {
        return free.length;
    }

    /** Takes {@code n} slots into {@code into}; false (and nothing taken) when the pool has fewer. */
    public boolean take(FrameSlot[] into, int n) {
        if (freeCount < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            into[i] = free[--freeCount];
            free[freeCount] = null;
        }
        return true;
    }

    public void give(FrameSlot[] from, int n) {
        for (int i = 0; i < n; i++) {
            FrameSlot slot = from[i];
            if (slot == null) {
                continue;
            }
            if (slot.capacity() > retainBytes) {
                slot.release();
            }
            slot.resetAnswer();
            free[freeCount++] = slot;
            from[i] = null;
        }
    }

    public void close() {
        for (int i = 0; i < freeCount; i++) {
            free[i].close();
        }
        freeCount = 0;
    }
}

package dev.framebridge.push;

import java.lang.foreign.MemorySegment;

/**
 * One subscriber of a {@link PushSource}: where it is in the source's sequence, how many frames it received and how
 * many it missed (drops) because it read too slowly. Read by one thread.
 */
public final class PushSubscriber {
    private final PushSource source;
    long lastSeen;
    long delivered;
    long drops;
    boolean waitingForIdr = true;

    PushSubscriber(PushSource source, long sequence) {
        this.source = source;
        this.lastSeen = sequence;
    }

    /**
     * Takes the newest access unit when there is one this subscriber has not seen and may decode (after a gap, or
     * as its first frame, only an IDR); {@code sink} runs under the source's lock and must copy what it keeps.
     *
     * @return whether {@code sink} was given a frame
     */
    public boolean poll(Sink sink) {
        return source.deliver(this, sink);
    }

    /** Waits up to {@code timeoutMs} for a frame newer than the last this subscriber saw. */
    public void awaitNewer(long timeoutMs) throws InterruptedException {
        source.awaitNewer(this, timeoutMs);
    }

    public long delivered() {
        synchronized (source) {
            return delivered;
        }
    }

    public long drops() {
        synchronized (source) {
            return drops;
        }
    }

    /**
     * Receives one access unit: its Annex-B bytes are the first {@code length} bytes of {@code buffer} (which may be
     * longer), valid only during the call. Handing the source's buffer and a length, not a slice, costs no object.
     */
    @FunctionalInterface
    public interface Sink {
        void accept(MemorySegment buffer, long length, boolean keyframe, long pts);
    }
}

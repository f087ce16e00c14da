package dev.framebridge.engine;

import java.nio.ByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/** The I/O agent's side of the request rings: publishes a session's descriptors to its encode agent and wakes it. */
final class EncodeDispatch {
    private final OneToOneRingBuffer[] requestRings;
    private final WakeableIdleStrategy[] encodeIdles;
    private final MutableDirectBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(RingMessages.LENGTH));

    EncodeDispatch(OneToOneRingBuffer[] requestRings, WakeableIdleStrategy[] encodeIdles) {
        this.requestRings = requestRings;
        this.encodeIdles = encodeIdles;
    }

    /** The session's next slot is filled. */
    void request(Session s) {
        publish(s, RingMessages.REQUEST);
    }

    /** The session is gone: its encode agent drops pending work and answers CLOSED. */
    void close(Session s) {
        publish(s, RingMessages.CLOSE);
    }

    /** The encode agent may go on (an answer from its encoder's memory has been written). */
    void wake(Session s) {
        encodeIdles[s.encodeAgent].wake();
    }

    private void publish(Session s, int type) {
        scratch.putInt(0, s.index);
        // Rings hold every slot of every session, so they cannot fill; spin rather than lose a descriptor.
        OneToOneRingBuffer ring = requestRings[s.encodeAgent];
        while (!ring.write(type, scratch, 0, RingMessages.LENGTH)) {
            Thread.onSpinWait();
        }
        encodeIdles[s.encodeAgent].wake();
    }
}

package dev.framebridge.engine;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The descriptors the agents pass on agrona rings. Each record is one int, the session index; which slot it
 * refers to follows from the session's own in-order counters, so descriptors stay 4 bytes and carry no
 * pointers.
 */
final class RingMessages {
    private RingMessages() {
    }

    /** I/O → encode: the session's next slot is filled. */
    static final int REQUEST = 1;
    /** I/O → encode: the session has closed; drop its pending work, close its encoder, answer CLOSED. */
    static final int CLOSE = 2;
    /** encode → I/O: the session's next slot has its answer. */
    static final int ANSWER = 3;
    /** encode → I/O: the encode agent let go of the session; its slots may be reused. */
    static final int CLOSED = 4;

    static final int LENGTH = Integer.BYTES;

    static OneToOneRingBuffer newRing(int records) {
        int bytes = Integer.highestOneBit(Math.max(1024, records * 16) - 1) << 1;
        return new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(bytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }
}

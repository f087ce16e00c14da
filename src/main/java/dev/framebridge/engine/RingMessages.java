package dev.framebridge.engine;

import java.nio.ByteBuffer;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
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

    /** Ring bytes one descriptor takes: the record header and the session index, aligned as the ring aligns. */
    static final int RECORD_BYTES = BitUtil.align(RecordDescriptor.HEADER_LENGTH + LENGTH, RecordDescriptor.ALIGNMENT);

    /** A ring with room for at least {@code records} descriptors (at least 1 KiB; capacity a power of two). */
    static OneToOneRingBuffer newRing(int records) {
        int bytes = BitUtil.findNextPositivePowerOfTwo(Math.max(1024, records * RECORD_BYTES));
        return new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(bytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }
}

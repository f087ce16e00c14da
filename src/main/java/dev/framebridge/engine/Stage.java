package dev.framebridge.engine;

import dev.framebridge.frame.FrameSlot;

/**
 * Where a frame request's time goes, stage by stage, from the stamps its slot carries (all from the engine's clock).
 * The stages tile the request's life: wait + receive + queue + encode + write = total; convert is the part of
 * receive spent converting rows as they arrived.
 */
enum Stage {
    /** From the moment its connection was seen readable (epoll; not before the previous request was read whole) to its first byte read. */
    WAIT(CounterId.STAGE_WAIT_US_P50, CounterId.STAGE_WAIT_US_P99),
    /** First byte to last byte read (convert on arrival included). */
    RECEIVE(CounterId.STAGE_RECEIVE_US_P50, CounterId.STAGE_RECEIVE_US_P99),
    /** Converting BGRA/RGBA rows to NV12 as they arrived. */
    CONVERT(CounterId.STAGE_CONVERT_US_P50, CounterId.STAGE_CONVERT_US_P99),
    /** Last byte read to the encode agent taking it up. */
    QUEUE(CounterId.STAGE_QUEUE_US_P50, CounterId.STAGE_QUEUE_US_P99),
    /** The encode agent's work: an encoder (re)open when one is due, then the encode. */
    ENCODE(CounterId.STAGE_ENCODE_US_P50, CounterId.STAGE_ENCODE_US_P99),
    /** Encoded to the answer's last byte written (the answer ring, the I/O agent's turn, the socket). */
    WRITE(CounterId.STAGE_WRITE_US_P50, CounterId.STAGE_WRITE_US_P99),
    /** Seen readable to the answer's last byte written. */
    TOTAL(CounterId.STAGE_TOTAL_US_P50, CounterId.STAGE_TOTAL_US_P99);

    static final Stage[] ALL = values();

    final CounterId p50;
    final CounterId p99;

    Stage(CounterId p50, CounterId p99) {
        this.p50 = p50;
        this.p99 = p99;
    }

    /** This stage's nanoseconds for a frame answered (its last byte written) at {@code writtenNanos}. */
    long nanos(FrameSlot s, long writtenNanos) {
        return switch (this) {
            case WAIT -> s.firstByteNanos - s.readableNanos;
            case RECEIVE -> s.receivedNanos - s.firstByteNanos;
            case CONVERT -> s.convertNanos;
            case QUEUE -> s.encodeStartNanos - s.receivedNanos;
            case ENCODE -> s.encodeEndNanos - s.encodeStartNanos;
            case WRITE -> writtenNanos - s.encodeEndNanos;
            case TOTAL -> writtenNanos - s.readableNanos;
        };
    }
}

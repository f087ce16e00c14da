package dev.framebridge.frame;

import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.ScanoutResponseFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory for one in-flight request: a fixed control area (the request's fixed part and the answer's
 * prefix), a pixel area that pixels are received into straight from the socket, and (for RGB frames) the area they
 * are converted into as they arrive. The areas grow only when a larger frame arrives (a size change), never per
 * frame.
 *
 * <p>Ownership moves with the request: the I/O agent fills it, publishes it on a ring, the encode agent reads
 * it and writes the answer prefix, publishes it back, and the I/O agent reuses it only after the answer is
 * written. The fields the two threads share are published through the agrona rings (release/acquire).
 */
public final class FrameSlot {
    /** Bytes reserved for the request's header and fixed body (the largest is FRAME_REQUEST's), 8-byte aligned. */
    public static final int REQUEST_AREA = align8(HxfrDecoder.LARGEST_FIXED_REQUEST);
    /** Bytes reserved for the answer prefix: the largest answer the engine writes before any body (ERROR's). */
    public static final int ANSWER_AREA = align8(Math.max(Math.max(ErrorFlyweight.LENGTH, MessageFlyweight.HEADER_LENGTH),
            Math.max(FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH,
                    Math.max(ScanoutResponseFlyweight.LENGTH, SubscribeResponseFlyweight.LENGTH))));

    private static int align8(int bytes) {
        return (bytes + 7) & ~7;
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment request;
    private final MemorySegment answer;
    private final GrowingArea pixels = new GrowingArea();
    private final GrowingArea converted = new GrowingArea();

    // Written by the I/O agent before publishing the slot to an encode agent.
    public int kind;
    public long receivedNanos;
    /** The frame's pixels were converted as they arrived: the encoder reads {@link #converted()}, not the pixels. */
    public boolean isConverted;

    // Written by the encode agent before publishing the answer.
    public int answerLength;
    /** The answer's body: native memory the encoder owns (address, length), written after the prefix. */
    public long answerBodyAddress;
    public long answerBodyLength;
    public boolean answerUsesEncoderMemory;
    public long encodeNanos;

    public FrameSlot() {
        MemorySegment control = arena.allocate(REQUEST_AREA + ANSWER_AREA, 64);
        request = control.asSlice(0, REQUEST_AREA);
        answer = control.asSlice(REQUEST_AREA, ANSWER_AREA);
    }

    public MemorySegment request() {
        return request;
    }

    public MemorySegment answer() {
        return answer;
    }

    /** The pixel area, at least {@code bytes} long; reallocated only when it was smaller. */
    public MemorySegment pixels(long bytes) {
        return pixels.atLeast(bytes);
    }

    public MemorySegment pixels() {
        return pixels.segment();
    }

    /**
     * The converted-frame area (the pixels in the encoder's format, written while they arrive), at least
     * {@code bytes} long; reallocated only when it was smaller, like the pixel area.
     */
    public MemorySegment converted(long bytes) {
        return converted.atLeast(bytes);
    }

    public MemorySegment converted() {
        return converted.segment();
    }

    /** Pixel memory this slot holds (both areas). */
    public long capacity() {
        return pixels.size() + converted.size();
    }

    /** Clears the answer fields for reuse. */
    public void resetAnswer() {
        answerLength = 0;
        answerBodyAddress = 0;
        answerBodyLength = 0;
        answerUsesEncoderMemory = false;
        encodeNanos = 0;
    }

    /** Frees the pixel and converted areas (kept memory is bounded by the pool size × the largest frame). */
    public void release() {
        pixels.free();
        converted.free();
    }

    public void close() {
        release();
        arena.close();
    }
}

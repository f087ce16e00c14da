package dev.framebridge.frame;

import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HelloResponseFlyweight;
import dev.framebridge.protocol.PoolResponseFlyweight;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.ScanoutResponseFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory for one in-flight request: a fixed control area (the request's fixed part and the answer's
 * prefix), a pixel area that pixels are received into straight from the socket, and (for RGB frames) the area they
 * are converted into as they arrive.
 *
 * <p>Frame memory follows the bytes that arrive, not the size a request declares: {@link #prepareFrame} checks the
 * frame against the owner's {@link ConnectionMemory} and maps address space (which costs no memory), then
 * {@link #receivable} charges the budget one {@link GrowingArea#CHUNK} at a time just ahead of the bytes being
 * received, together with the part of the converted area those rows will fill. A frame the size of the last one
 * finds everything charged and costs nothing; the areas are remapped only when a larger frame arrives.
 *
 * <p>Ownership moves with the request: the I/O agent fills it, publishes it on a ring, the encode agent reads
 * it and writes the answer prefix, publishes it back, and the I/O agent reuses it only after the answer is
 * written. The fields the two threads share are published through the agrona rings (release/acquire); the
 * memory bookkeeping is the I/O agent's alone.
 */
public final class FrameSlot {
    /** Bytes reserved for the request's header and fixed body (the largest is FRAME_REQUEST's), 8-byte aligned. */
    public static final int REQUEST_AREA = align8(HxfrDecoder.LARGEST_FIXED_REQUEST);
    /** Bytes reserved for the answer prefix: the largest answer the engine writes before any body (ERROR's). */
    public static final int ANSWER_AREA = align8(Math.max(Math.max(ErrorFlyweight.LENGTH, MessageFlyweight.HEADER_LENGTH),
            Math.max(Math.max(FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH, HelloResponseFlyweight.LENGTH),
                    Math.max(Math.max(ScanoutResponseFlyweight.LENGTH, SubscribeResponseFlyweight.LENGTH),
                            PoolResponseFlyweight.LENGTH))));

    private static int align8(int bytes) {
        return (bytes + 7) & ~7;
    }
    /**
     * Mapped and charged past a frame's last byte: SIMD code may read a whole vector at the end of the last row,
     * and past the end of a mapping that read would be a fault.
     */
    static final long GUARD = 4096;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment request;
    private final MemorySegment answer;
    private final FrameMemoryBudget total;
    private final GrowingArea pixels = new GrowingArea();
    private final GrowingArea converted = new GrowingArea();
    /** The connection whose budget this slot's memory counts in; null while the slot is in the pool. */
    private ConnectionMemory owner;

    // The frame being received (I/O agent only).
    private long pixelBytes;
    private long pixelExtent;
    private long rowStride;
    private long rows;
    private long convertedExtent;
    private long chromaOffset;
    private long planeStride;
    /** Pixel bytes (from the frame's start) that are charged and may be received now. */
    private long receivable;
    private long frameNeeds;
    private int mapErrno;

    // Written by the I/O agent before publishing the slot to an encode agent.
    public int kind;
    public long receivedNanos;
    /** The frame's pixels were converted as they arrived: the encoder reads {@link #converted()}, not the pixels. */
    public boolean isConverted;
    /**
     * A frame by reference (FRAME_REF, or an embedded application's segment): the address its offsets count from —
     * a mapped pool's first byte — checked against the pool by the I/O agent; the request area holds the FRAME_REF.
     */
    public long referenceBase;
    /** The DMA-BUF whose reads the encode agent brackets with DMA_BUF_IOCTL_SYNC; -1 when the pool is not one. */
    public int referenceSyncFd = -1;
    /** Bytes of the pool at {@link #referenceBase} (what a GPU import of the DMA-BUF is told its size is). */
    public long referenceSize;

    // Written by the encode agent before publishing the answer.
    public int answerLength;
    /** The answer's body: native memory the encoder owns (address, length), written after the prefix. */
    public long answerBodyAddress;
    public long answerBodyLength;
    public boolean answerUsesEncoderMemory;
    public long encodeNanos;
    /** When the encode agent took the slot up (its queueing ends here; clock of the engine). */
    public long encodeStartNanos;
    public long encodeEndNanos;
    // Written by the I/O agent while receiving (where time goes, per stage: see the engine's StageTimes).
    /** When the request's first byte was read, and when its connection was last seen readable before that. */
    public long firstByteNanos;
    public long readableNanos;
    /** Time spent converting its rows as they arrived (part of receiving). */
    public long convertNanos;

    /** @param total the engine's frame memory, which this slot's memory counts in while it is in the pool */
    public FrameSlot(FrameMemoryBudget total) {
        this.total = total;
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

    /**
     * Readies the slot for a frame of {@code pixelBytes} bytes ({@code rows} rows {@code stride} apart), converted
     * as it arrives into an NV12 image of {@code convertedBytes} bytes (its UV plane at {@code chromaOffset}, rows
     * {@code planeStride} apart; 0 bytes when the frame is not converted). Maps address space when the areas are
     * too small; charges nothing.
     *
     * @return {@link ConnectionMemory#GRANTED}, or why the frame cannot be taken: it would not fit the connection's
     * limit or (now) the engine's, or the system would not map it. Nothing has changed on a refusal by a limit.
     */
    public int prepareFrame(long pixelBytes, long stride, long rows, long convertedBytes, long chromaOffset,
                            long planeStride) {
        long pExtent = pixelBytes + GUARD;
        long cExtent = convertedBytes > 0 ? convertedBytes + GUARD : 0;
        boolean remapPixels = pixels.reserved() < pExtent;
        boolean remapConverted = converted.reserved() < cExtent;
        long freed = (remapPixels ? pixels.charged() : 0) + (remapConverted ? converted.charged() : 0);
        long needs = (remapPixels ? GrowingArea.roundUp(pExtent) : pixels.uncharged(0, pExtent))
                + (remapConverted ? GrowingArea.roundUp(cExtent) : converted.uncharged(0, cExtent));
        frameNeeds = needs;
        int verdict = owner.admits(needs - freed);
        if (verdict != ConnectionMemory.GRANTED) {
            return verdict;
        }
        if ((remapPixels && !remap(pixels, pExtent)) || (remapConverted && !remap(converted, cExtent))) {
            return ConnectionMemory.NO_ADDRESS_SPACE;
        }
        this.pixelBytes = pixelBytes;
        this.pixelExtent = pExtent;
        this.rowStride = stride;
        this.rows = rows;
        this.convertedExtent = cExtent;
        this.chromaOffset = chromaOffset;
        this.planeStride = planeStride;
        this.receivable = needs == 0 ? pExtent : 0;
        return ConnectionMemory.GRANTED;
    }

    private boolean remap(GrowingArea area, long bytes) {
        owner.credit(area.release());
        if (!area.map(bytes)) {
            mapErrno = area.lastErrno();
            return false;
        }
        return true;
    }

    /**
     * How far the pixels of the prepared frame may be received now, from {@code position} towards {@code target}:
     * {@code target} when that part is charged (a frame like the last one: no work at all), else the end of what is
     * charged, and once {@code position} reaches it, the end of the next chunk, charged now with the converted rows
     * it completes: the charge runs at most one chunk ahead of the bytes, however often a read comes back short.
     *
     * @return an end beyond {@code position}, or minus the verdict when the budget refused the next chunk
     * ({@link ConnectionMemory#OVER_TOTAL_LIMIT}: other connections took the memory since the frame was prepared)
     */
    public long receivable(long position, long target) {
        if (target <= receivable) {
            return target;
        }
        if (position < receivable) {
            return receivable; // the charged part is not full yet (a read returned less, or nothing)
        }
        long from = receivable;
        long to = Math.min(GrowingArea.roundUp(position + 1), pixels.reserved());
        if (to >= pixelBytes) {
            to = pixelExtent; // the last chunk brings the guard, and the whole converted image
        }
        long yEnd = 0;
        long uvEnd = chromaOffset;
        if (convertedExtent > 0) {
            if (to == pixelExtent) {
                yEnd = convertedExtent;
            } else {
                long convertible = Math.min(rows, to / rowStride) & ~1L; // whole row pairs, as they are converted
                yEnd = convertible * planeStride;
                uvEnd = chromaOffset + convertible / 2 * planeStride;
            }
        }
        long bytes = pixels.uncharged(from, to) + converted.uncharged(0, yEnd) + converted.uncharged(chromaOffset, uvEnd);
        int verdict = owner.charge(bytes);
        if (verdict != ConnectionMemory.GRANTED) {
            return -verdict;
        }
        long marked = pixels.markCharged(from, to) + converted.markCharged(0, yEnd)
                + converted.markCharged(chromaOffset, uvEnd);
        if (marked < bytes) {
            owner.credit(bytes - marked); // the Y plane's last chunk was also the UV plane's first
        }
        receivable = to;
        return Math.min(target, to);
    }

    /** Frame memory the last prepared frame needed beyond what the slot held (for refusal messages). */
    public long frameNeeds() {
        return frameNeeds;
    }

    /** errno of the last failed mapping (after {@link ConnectionMemory#NO_ADDRESS_SPACE}). */
    public int mapErrno() {
        return mapErrno;
    }

    /** The connection whose budget the slot's memory counts in (null in the pool). */
    public ConnectionMemory owner() {
        return owner;
    }

    /** The pixel area (mapped, charged as far as the frame has arrived). */
    public MemorySegment pixels() {
        return pixels.segment();
    }

    /**
     * The converted-frame area (the pixels in the encoder's format, written while they arrive), at least
     * {@code bytes} long: sized by {@link #prepareFrame}, which charges it as rows arrive. Should a caller ask for
     * more than was prepared, the area is remapped here without a charge (a miscount, never a fault).
     */
    public MemorySegment converted(long bytes) {
        return atLeast(converted, bytes);
    }

    public MemorySegment converted() {
        return converted.segment();
    }

    private MemorySegment atLeast(GrowingArea area, long bytes) {
        if (area.reserved() < bytes) {
            long freed = area.release();
            if (owner != null) {
                owner.credit(freed);
            } else {
                total.credit(freed);
            }
            if (!area.map(bytes)) {
                throw new IllegalStateException("cannot map " + bytes + " bytes of frame memory: errno " + area.lastErrno());
            }
        }
        return area.segment();
    }

    /** Frame memory this slot holds (both areas, charged bytes). */
    public long chargedBytes() {
        return pixels.charged() + converted.charged();
    }

    /** Clears the answer fields for reuse. */
    public void resetAnswer() {
        answerLength = 0;
        answerBodyAddress = 0;
        answerBodyLength = 0;
        answerUsesEncoderMemory = false;
        encodeNanos = 0;
    }

    /** Gives both areas back to the system and credits their memory to whoever it counts against. */
    public void releaseMemory() {
        long freed = pixels.release() + converted.release();
        if (owner != null) {
            owner.credit(freed);
        } else {
            total.credit(freed);
        }
        receivable = 0;
        pixelExtent = 0;
    }

    /** A session takes the slot: its memory now counts in {@code memory}, or is released if that has no room. */
    void attach(ConnectionMemory memory) {
        owner = memory;
        if (!memory.adopt(chargedBytes())) {
            owner = null;
            releaseMemory();
            owner = memory;
        }
    }

    /** The session lets go: the memory stays (counted in the engine's total only) until the pool decides. */
    void detach() {
        if (owner != null) {
            owner.disown(chargedBytes());
            owner = null;
        }
        receivable = 0;
    }

    public void close() {
        releaseMemory();
        arena.close();
    }
}

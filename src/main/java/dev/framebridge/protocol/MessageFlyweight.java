package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.U16;
import static dev.framebridge.protocol.HxfrLayouts.U32;
import static dev.framebridge.protocol.HxfrLayouts.U8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Base of the HXFR flyweights: a view of one message at an offset in off-heap (or heap) memory, little-endian.
 * {@link #wrap} checks the segment is long enough for the fixed part once; accessors then read and write
 * without allocating. One pre-allocated flyweight per message type is meant to be re-wrapped for every message.
 *
 * @param <T> the concrete flyweight, so fluent setters return it
 */
public abstract class MessageFlyweight<T extends MessageFlyweight<T>> {
    public static final long MAGIC_OFFSET = HxfrLayouts.offsetOf(HxfrLayouts.HEADER, "magic");
    public static final long TYPE_OFFSET = HxfrLayouts.offsetOf(HxfrLayouts.HEADER, "type");
    public static final long FLAGS_OFFSET = HxfrLayouts.offsetOf(HxfrLayouts.HEADER, "flags");
    public static final long SESSION_ID_OFFSET = HxfrLayouts.offsetOf(HxfrLayouts.HEADER, "session_id");
    public static final long PAYLOAD_SIZE_OFFSET = HxfrLayouts.offsetOf(HxfrLayouts.HEADER, "payload_size");
    public static final int HEADER_LENGTH = (int) HxfrLayouts.HEADER.byteSize();

    protected MemorySegment segment = MemorySegment.NULL;
    protected long offset;

    private final int messageType;
    private final int length;

    protected MessageFlyweight(int messageType, StructLayout layout) {
        this.messageType = messageType;
        this.length = (int) layout.byteSize();
    }

    /** Fixed length of this message type in bytes, header included. */
    public final int length() {
        return length;
    }

    /** The type byte this flyweight encodes; -1 for the bare header. */
    public final int messageType() {
        return messageType;
    }

    /** Views the message at {@code offset}; throws if fewer than {@link #length()} bytes are there. */
    @SuppressWarnings("unchecked")
    public final T wrap(MemorySegment segment, long offset) {
        if (offset < 0 || segment.byteSize() - offset < length) {
            throw new IndexOutOfBoundsException("HXFR message needs " + length + " bytes at offset " + offset
                    + ", buffer has " + (segment.byteSize() - offset));
        }
        this.segment = segment;
        this.offset = offset;
        return (T) this;
    }

    public final MemorySegment segment() {
        return segment;
    }

    public final long offset() {
        return offset;
    }

    public final int magic() {
        return segment.get(U32, offset + MAGIC_OFFSET);
    }

    public final int type() {
        return segment.get(U8, offset + TYPE_OFFSET) & 0xFF;
    }

    public final int flags() {
        return segment.get(U8, offset + FLAGS_OFFSET) & 0xFF;
    }

    public final int sessionId() {
        return segment.get(U16, offset + SESSION_ID_OFFSET) & 0xFFFF;
    }

    /** payload_size as an unsigned 32-bit value. */
    public final long payloadSize() {
        return segment.get(U32, offset + PAYLOAD_SIZE_OFFSET) & 0xFFFF_FFFFL;
    }

    /** Writes magic, this type, flags, session id and the fixed body size as payload_size. */
    public final T header(int flags, int sessionId) {
        return header(flags, sessionId, length - HEADER_LENGTH);
    }

    /** Writes magic, this type, flags, session id and an explicit payload_size (for variable-length messages). */
    @SuppressWarnings("unchecked")
    public final T header(int flags, int sessionId, long payloadSize) {
        segment.set(U32, offset + MAGIC_OFFSET, Hxfr.MAGIC);
        segment.set(U8, offset + TYPE_OFFSET, (byte) messageType);
        segment.set(U8, offset + FLAGS_OFFSET, (byte) flags);
        segment.set(U16, offset + SESSION_ID_OFFSET, (short) sessionId);
        segment.set(U32, offset + PAYLOAD_SIZE_OFFSET, (int) payloadSize);
        return (T) this;
    }

    protected final int u32(long fieldOffset) {
        return segment.get(U32, offset + fieldOffset);
    }

    protected final void u32(long fieldOffset, int value) {
        segment.set(U32, offset + fieldOffset, value);
    }

    protected final long i64(long fieldOffset) {
        return segment.get(HxfrLayouts.I64, offset + fieldOffset);
    }

    protected final void i64(long fieldOffset, long value) {
        segment.set(HxfrLayouts.I64, offset + fieldOffset, value);
    }

    protected final int u8(long fieldOffset) {
        return segment.get(U8, offset + fieldOffset) & 0xFF;
    }

    protected final void u8(long fieldOffset, int value) {
        segment.set(U8, offset + fieldOffset, (byte) value);
    }

    protected final void zero(long fieldOffset, long bytes) {
        for (long i = 0; i < bytes; i++) {
            segment.set(U8, offset + fieldOffset + i, (byte) 0);
        }
    }
}

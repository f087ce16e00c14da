package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.FRAME_RESPONSE;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * FRAME_RESPONSE, host → client: 36 bytes, then {@code nal_count} entries of (u32 size, size bytes of
 * Annex-B with start codes). {@code payload_size} = 24 + the entries' bytes.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                           pts (i64 ns)                            |
 * 20 |                           dts (i64 ns)                            |
 * 28 |  is_keyframe  |                 reserved (3)                      |
 * 32 |                           nal_count                               |
 * 36 +-------------------------------------------------------------------+ entries…
 * </pre>
 * framebridge sends one entry holding the whole access unit, as the reference host does, so an answer is
 * this fixed part, one 4-byte entry size ({@link #SINGLE_ENTRY_PREFIX_LENGTH} bytes in all) and the
 * encoder's own output memory.
 */
public final class FrameResponseFlyweight extends MessageFlyweight<FrameResponseFlyweight> {
    public static final long PTS_OFFSET = offsetOf(FRAME_RESPONSE, "pts");
    public static final long DTS_OFFSET = offsetOf(FRAME_RESPONSE, "dts");
    public static final long IS_KEYFRAME_OFFSET = offsetOf(FRAME_RESPONSE, "is_keyframe");
    public static final long RESERVED_OFFSET = offsetOf(FRAME_RESPONSE, "reserved");
    public static final long NAL_COUNT_OFFSET = offsetOf(FRAME_RESPONSE, "nal_count");
    public static final int LENGTH = (int) FRAME_RESPONSE.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;
    public static final int NAL_ENTRY_HEADER_LENGTH = (int) HxfrLayouts.NAL_ENTRY.byteSize();
    public static final int SINGLE_ENTRY_PREFIX_LENGTH = LENGTH + NAL_ENTRY_HEADER_LENGTH;

    public FrameResponseFlyweight() {
        super(Hxfr.MSG_FRAME_RESPONSE, FRAME_RESPONSE);
    }

    public long pts() {
        return i64(PTS_OFFSET);
    }

    public FrameResponseFlyweight pts(long v) {
        i64(PTS_OFFSET, v);
        return this;
    }

    public long dts() {
        return i64(DTS_OFFSET);
    }

    public FrameResponseFlyweight dts(long v) {
        i64(DTS_OFFSET, v);
        return this;
    }

    public boolean isKeyframe() {
        return u8(IS_KEYFRAME_OFFSET) != 0;
    }

    public FrameResponseFlyweight isKeyframe(boolean v) {
        u8(IS_KEYFRAME_OFFSET, v ? 1 : 0);
        zero(RESERVED_OFFSET, 3);
        return this;
    }

    public long nalCount() {
        return u32(NAL_COUNT_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameResponseFlyweight nalCount(long v) {
        u32(NAL_COUNT_OFFSET, (int) v);
        return this;
    }

    /**
     * Writes the whole prefix of a one-entry answer: header, fixed body, and the entry's size, so that
     * {@code prefix + accessUnit} is the complete message.
     */
    public FrameResponseFlyweight singleEntry(int sessionId, long pts, long dts, boolean keyframe, long accessUnitBytes) {
        header(0, sessionId, BODY_LENGTH + NAL_ENTRY_HEADER_LENGTH + accessUnitBytes);
        pts(pts).dts(dts).isKeyframe(keyframe).nalCount(1);
        u32(LENGTH, (int) accessUnitBytes);
        return this;
    }
}

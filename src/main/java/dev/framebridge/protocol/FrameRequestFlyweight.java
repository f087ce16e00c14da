package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.FRAME_REQUEST;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * FRAME_REQUEST, client → host: 56 bytes, then {@code payload_size - 44} bytes of pixels when
 * {@link Hxfr#FLAG_PIXEL_DATA} is set.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                          resource_id                              |
 * 16 |                             width                                 |
 * 20 |                             height                                |
 * 24 |                     format (DRM fourcc)                           |
 * 28 |                     stride (plane 0)                              |
 * 32 |                           pts (i64 ns)                            |
 * 40 |                        duration (i64 ns)                          |
 * 48 | force_keyframe|                reserved (7)                       |
 * 56 +-------------------------------------------------------------------+ pixels…
 * </pre>
 */
public final class FrameRequestFlyweight extends MessageFlyweight<FrameRequestFlyweight> {
    public static final long RESOURCE_ID_OFFSET = offsetOf(FRAME_REQUEST, "resource_id");
    public static final long WIDTH_OFFSET = offsetOf(FRAME_REQUEST, "width");
    public static final long HEIGHT_OFFSET = offsetOf(FRAME_REQUEST, "height");
    public static final long FORMAT_OFFSET = offsetOf(FRAME_REQUEST, "format");
    public static final long STRIDE_OFFSET = offsetOf(FRAME_REQUEST, "stride");
    public static final long PTS_OFFSET = offsetOf(FRAME_REQUEST, "pts");
    public static final long DURATION_OFFSET = offsetOf(FRAME_REQUEST, "duration");
    public static final long FORCE_KEYFRAME_OFFSET = offsetOf(FRAME_REQUEST, "force_keyframe");
    public static final long RESERVED_OFFSET = offsetOf(FRAME_REQUEST, "reserved");
    public static final int LENGTH = (int) FRAME_REQUEST.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public FrameRequestFlyweight() {
        super(Hxfr.MSG_FRAME_REQUEST, FRAME_REQUEST);
    }

    public long resourceId() {
        return u32(RESOURCE_ID_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRequestFlyweight resourceId(long v) {
        u32(RESOURCE_ID_OFFSET, (int) v);
        return this;
    }

    public long width() {
        return u32(WIDTH_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRequestFlyweight width(long v) {
        u32(WIDTH_OFFSET, (int) v);
        return this;
    }

    public long height() {
        return u32(HEIGHT_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRequestFlyweight height(long v) {
        u32(HEIGHT_OFFSET, (int) v);
        return this;
    }

    public int format() {
        return u32(FORMAT_OFFSET);
    }

    public FrameRequestFlyweight format(int fourcc) {
        u32(FORMAT_OFFSET, fourcc);
        return this;
    }

    public long stride() {
        return u32(STRIDE_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRequestFlyweight stride(long v) {
        u32(STRIDE_OFFSET, (int) v);
        return this;
    }

    public long pts() {
        return i64(PTS_OFFSET);
    }

    public FrameRequestFlyweight pts(long v) {
        i64(PTS_OFFSET, v);
        return this;
    }

    public long duration() {
        return i64(DURATION_OFFSET);
    }

    public FrameRequestFlyweight duration(long v) {
        i64(DURATION_OFFSET, v);
        return this;
    }

    public boolean forceKeyframe() {
        return u8(FORCE_KEYFRAME_OFFSET) != 0;
    }

    public FrameRequestFlyweight forceKeyframe(boolean v) {
        u8(FORCE_KEYFRAME_OFFSET, v ? 1 : 0);
        zero(RESERVED_OFFSET, 7);
        return this;
    }

    public boolean hasPixelData() {
        return (flags() & Hxfr.FLAG_PIXEL_DATA) != 0;
    }

    /** Bytes of pixels after the fixed part; negative if payload_size is too small to be valid. */
    public long pixelBytes() {
        return payloadSize() - BODY_LENGTH;
    }
}

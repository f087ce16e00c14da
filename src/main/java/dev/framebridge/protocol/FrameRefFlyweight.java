package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.FRAME_REF;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * FRAME_REF, client → host: 88 bytes, a frame that lies in a registered pool instead of following the message.
 * Answered exactly like FRAME_REQUEST (FRAME_RESPONSE or ERROR, in order). The host reads the pool from this request
 * until its answer and never after; every bound is checked before the first read.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                           pool_id                                 |
 * 16 |                     format (DRM fourcc)                           |
 * 20 |                            width                                  |
 * 24 |                            height                                 |
 * 28 |                 flags (HXFR_REF_FLAG_KEYFRAME)                    |
 * 32 |            offset (u64: the frame's first byte in the pool)       |
 * 40 |      plane_offset[4] (each plane's start, relative to offset)     |
 * 56 |              stride[4] (bytes per row of each plane)              |
 * 72 |                          pts (i64 ns)                             |
 * 80 |                       duration (i64 ns)                           |
 * 88 +-------------------------------------------------------------------+
 * </pre>
 */
public final class FrameRefFlyweight extends MessageFlyweight<FrameRefFlyweight> {
    public static final long POOL_ID_OFFSET = offsetOf(FRAME_REF, "pool_id");
    public static final long FORMAT_OFFSET = offsetOf(FRAME_REF, "format");
    public static final long WIDTH_OFFSET = offsetOf(FRAME_REF, "width");
    public static final long HEIGHT_OFFSET = offsetOf(FRAME_REF, "height");
    public static final long FLAGS_OFFSET = offsetOf(FRAME_REF, "flags");
    public static final long FRAME_OFFSET_OFFSET = offsetOf(FRAME_REF, "offset");
    public static final long PLANE_OFFSET_OFFSET = offsetOf(FRAME_REF, "plane_offset");
    public static final long STRIDE_OFFSET = offsetOf(FRAME_REF, "stride");
    public static final long PTS_OFFSET = offsetOf(FRAME_REF, "pts");
    public static final long DURATION_OFFSET = offsetOf(FRAME_REF, "duration");
    public static final int LENGTH = (int) FRAME_REF.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public FrameRefFlyweight() {
        super(Hxfr.MSG_FRAME_REF, FRAME_REF);
    }

    public int poolId() {
        return u32(POOL_ID_OFFSET);
    }

    public FrameRefFlyweight poolId(int id) {
        u32(POOL_ID_OFFSET, id);
        return this;
    }

    public int format() {
        return u32(FORMAT_OFFSET);
    }

    public FrameRefFlyweight format(int fourcc) {
        u32(FORMAT_OFFSET, fourcc);
        return this;
    }

    public long width() {
        return u32(WIDTH_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRefFlyweight width(long v) {
        u32(WIDTH_OFFSET, (int) v);
        return this;
    }

    public long height() {
        return u32(HEIGHT_OFFSET) & 0xFFFF_FFFFL;
    }

    public FrameRefFlyweight height(long v) {
        u32(HEIGHT_OFFSET, (int) v);
        return this;
    }

    /** The body's flags word (HXFR_REF_FLAG_*), not the header's flags byte. */
    public int refFlags() {
        return u32(FLAGS_OFFSET);
    }

    public FrameRefFlyweight refFlags(int v) {
        u32(FLAGS_OFFSET, v);
        return this;
    }

    public boolean forceKeyframe() {
        return (refFlags() & Hxfr.REF_FLAG_KEYFRAME) != 0;
    }

    /** offset as an unsigned 64-bit value (a negative long is beyond 2^63: out of any pool). */
    public long frameOffset() {
        return i64(FRAME_OFFSET_OFFSET);
    }

    public FrameRefFlyweight frameOffset(long v) {
        i64(FRAME_OFFSET_OFFSET, v);
        return this;
    }

    public long planeOffset(int plane) {
        return u32(PLANE_OFFSET_OFFSET + 4L * plane) & 0xFFFF_FFFFL;
    }

    public FrameRefFlyweight planeOffset(int plane, long v) {
        u32(PLANE_OFFSET_OFFSET + 4L * plane, (int) v);
        return this;
    }

    public long stride(int plane) {
        return u32(STRIDE_OFFSET + 4L * plane) & 0xFFFF_FFFFL;
    }

    public FrameRefFlyweight stride(int plane, long v) {
        u32(STRIDE_OFFSET + 4L * plane, (int) v);
        return this;
    }

    /** Sets plane {@code plane}'s offset (relative to {@link #frameOffset()}) and stride. */
    public FrameRefFlyweight plane(int plane, long planeOffset, long stride) {
        return planeOffset(plane, planeOffset).stride(plane, stride);
    }

    /** Zeroes every plane's offset and stride (call before setting the planes a format uses). */
    public FrameRefFlyweight clearPlanes() {
        zero(PLANE_OFFSET_OFFSET, 8L * Hxfr.MAX_PLANES);
        return this;
    }

    public long pts() {
        return i64(PTS_OFFSET);
    }

    public FrameRefFlyweight pts(long v) {
        i64(PTS_OFFSET, v);
        return this;
    }

    public long duration() {
        return i64(DURATION_OFFSET);
    }

    public FrameRefFlyweight duration(long v) {
        i64(DURATION_OFFSET, v);
        return this;
    }
}

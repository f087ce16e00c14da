package dev.framebridge.encode;

import java.lang.foreign.MemorySegment;

/**
 * One access unit as the encoder produced it: Annex-B bytes with start codes, in the encoder's own memory
 * (valid until the encoder's next call). Mutable and reused so the hot path allocates nothing.
 *
 * <p>An encoder whose output lives at a native address it learns per frame (x264 returns a pointer) records the
 * raw {@link #address()} and {@link #length()} — what a gathering write's iovec needs — because making a
 * {@code MemorySegment} for it would allocate an object per frame. {@link #accessUnit()} builds that view on
 * demand (once per frame) for callers that want a segment.
 */
public final class EncodedFrame {
    private MemorySegment accessUnit = MemorySegment.NULL;
    private long address;
    private long length;
    private boolean keyframe;
    private long pts;
    private long dts;

    /** The access unit as a segment; for native output this allocates a view on its first call per frame. */
    public MemorySegment accessUnit() {
        MemorySegment view = accessUnit;
        if (view == null) {
            view = MemorySegment.ofAddress(address).reinterpret(length);
            accessUnit = view;
        }
        return view;
    }

    /** Native address of the first byte (0 when empty). */
    public long address() {
        return address;
    }

    /** Bytes in the access unit. */
    public long length() {
        return length;
    }

    public boolean keyframe() {
        return keyframe;
    }

    public long pts() {
        return pts;
    }

    public long dts() {
        return dts;
    }

    /** Output held in a segment (a native one, so that {@link #address()} is meaningful). */
    public EncodedFrame set(MemorySegment accessUnit, boolean keyframe, long pts, long dts) {
        this.accessUnit = accessUnit;
        this.address = accessUnit.address();
        this.length = accessUnit.byteSize();
        this.keyframe = keyframe;
        this.pts = pts;
        this.dts = dts;
        return this;
    }

    /** Output at a native address owned by the encoder; no segment is made until {@link #accessUnit()} asks. */
    public EncodedFrame setNative(long address, long length, boolean keyframe, long pts, long dts) {
        this.accessUnit = null;
        this.address = address;
        this.length = length;
        this.keyframe = keyframe;
        this.pts = pts;
        this.dts = dts;
        return this;
    }

    public void clear() {
        set(MemorySegment.NULL, false, 0, 0);
    }
}

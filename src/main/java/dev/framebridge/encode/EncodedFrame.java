package dev.framebridge.encode;

import java.lang.foreign.MemorySegment;

/**
 * One access unit as the encoder produced it: Annex-B bytes with start codes, in the encoder's own memory
 * (valid until the encoder's next call). Mutable and reused so the hot path allocates nothing.
 */
public final class EncodedFrame {
    private MemorySegment accessUnit = MemorySegment.NULL;
    private boolean keyframe;
    private long pts;
    private long dts;

    public MemorySegment accessUnit() {
        return accessUnit;
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

    public EncodedFrame set(MemorySegment accessUnit, boolean keyframe, long pts, long dts) {
        this.accessUnit = accessUnit;
        this.keyframe = keyframe;
        this.pts = pts;
        this.dts = dts;
        return this;
    }

    public void clear() {
        set(MemorySegment.NULL, false, 0, 0);
    }
}

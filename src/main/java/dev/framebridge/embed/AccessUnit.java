package dev.framebridge.embed;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One H.264 access unit (Annex-B, start codes; SPS and PPS in front of every IDR) as the encoder produced it, in the
 * encoder's own memory: valid only during {@link AccessUnitHandler#onAccessUnit}. Copy what you need to keep. One
 * instance per stream, reused for every frame, so handling one allocates nothing unless {@link #segment()} is asked.
 */
public final class AccessUnit {
    private final EncodeStream stream;
    private long address;
    private long length;
    private long pts;
    private long dts;
    private boolean keyframe;

    AccessUnit(EncodeStream stream) {
        this.stream = stream;
    }

    void set(long address, long length, long pts, long dts, boolean keyframe) {
        this.address = address;
        this.length = length;
        this.pts = pts;
        this.dts = dts;
        this.keyframe = keyframe;
    }

    /** The stream this access unit belongs to. */
    public EncodeStream stream() {
        return stream;
    }

    /** The pts submitted with the frame, unchanged. */
    public long pts() {
        return pts;
    }

    /** Equal to {@link #pts()}: the encoder makes no B-frames. */
    public long dts() {
        return dts;
    }

    /** An IDR (with SPS and PPS in front). */
    public boolean keyframe() {
        return keyframe;
    }

    /** Bytes in the access unit. */
    public long length() {
        return length;
    }

    /** Native address of the first byte (for passing on to native code without any object). */
    public long address() {
        return address;
    }

    /** A view of the encoder's memory (no copy; one small object per call); valid during the handler call only. */
    public MemorySegment segment() {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** Copies the access unit into {@code dst} at {@code offset}; returns its length. */
    public long copyTo(MemorySegment dst, long offset) {
        MemorySegment.copy(MemorySegment.NULL.reinterpret(Long.MAX_VALUE), address, dst, offset, length);
        return length;
    }

    /** Copies the access unit into {@code dst} at {@code offset} (which must have room); returns its length. */
    public int copyTo(byte[] dst, int offset) {
        MemorySegment.copy(MemorySegment.NULL.reinterpret(Long.MAX_VALUE), ValueLayout.JAVA_BYTE, address, dst, offset,
                Math.toIntExact(length));
        return (int) length;
    }

    @Override
    public String toString() {
        return "access unit pts=" + pts + (keyframe ? " IDR" : "") + ", " + length + " bytes";
    }
}

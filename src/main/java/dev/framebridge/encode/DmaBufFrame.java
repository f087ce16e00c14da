package dev.framebridge.encode;

/**
 * A frame by reference whose pool is a DMA-BUF: the buffer's fd and where the host mapped it, so an encoder that can
 * import DMA-BUFs into its GPU ({@link Encoder#encodeDmaBuf}) turns each plane's address back into an offset in the
 * buffer. Mutable and reused, so the hot path allocates nothing. The planes themselves are in a {@link FramePlanes},
 * already bounds-checked against the pool.
 *
 * <p>The outcome codes say where the frame went: {@link #ENCODED} (imported, encoded, no CPU copy), or one of the
 * reasons the caller reads it with the CPU instead ({@link Encoder#encodePlanes}).
 */
public final class DmaBufFrame {
    /** Imported as a GPU surface and encoded from there: no CPU copy. */
    public static final int ENCODED = 0;
    /** The session's encoder imports no DMA-BUFs (x264, libx264, NVENC, Quick Sync, VideoToolbox): read by the CPU. */
    public static final int NOT_THIS_ENCODER = 1;
    /** The frame is not NV12, the one layout the VA import takes (RGB would need the GPU's converter): read by the CPU. */
    public static final int NOT_NV12 = 2;
    /** The VA driver refused the import (or the buffer cannot be described to it); the session stops trying. */
    public static final int REFUSED = 3;

    private int fd = -1;
    private long base;
    private long size;

    /**
     * @param fd   the DMA-BUF (owned by its pool; not closed here)
     * @param base the address the pool's buffer is mapped at: a plane's offset in the buffer is its address minus this
     * @param size bytes of the buffer the pool covers
     */
    public DmaBufFrame set(int fd, long base, long size) {
        this.fd = fd;
        this.base = base;
        this.size = size;
        return this;
    }

    public int fd() {
        return fd;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** Words for an outcome code, for logs and tests. */
    public static String outcome(int code) {
        return switch (code) {
            case ENCODED -> "imported into the GPU encoder";
            case NOT_THIS_ENCODER -> "read by the CPU: the encoder imports no DMA-BUF";
            case NOT_NV12 -> "read by the CPU: not NV12";
            case REFUSED -> "read by the CPU: the import was refused";
            default -> "outcome " + code;
        };
    }
}

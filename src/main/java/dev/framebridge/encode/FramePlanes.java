package dev.framebridge.encode;

/**
 * Where a frame's planes lie in native memory, each with its own row pitch: the input of
 * {@link Encoder#encodePlanes}, for frames the encoder reads in place (frames by reference: a client's pool, a host
 * region, an embedding application's segment). Mutable and reused, so the hot path allocates nothing.
 *
 * <p>Planes per format: BGRA/RGBA one; NV12 two (Y, interleaved UV); I420 three (Y, U, V). Whoever fills it has
 * checked every plane against the memory it lies in: the encoder trusts the addresses.
 */
public final class FramePlanes {
    /** Most planes a frame has (DRM's limit, and hxfr.h's HXFR_MAX_PLANES). */
    public static final int MAX_PLANES = 4;

    private final long[] address = new long[MAX_PLANES];
    private final int[] stride = new int[MAX_PLANES];
    private int count;

    /** Forgets every plane. */
    public FramePlanes clear() {
        for (int i = 0; i < MAX_PLANES; i++) {
            address[i] = 0;
            stride[i] = 0;
        }
        count = 0;
        return this;
    }

    /** Sets plane {@code index} (0-based); the plane count becomes at least {@code index + 1}. */
    public FramePlanes plane(int index, long planeAddress, int rowStride) {
        address[index] = planeAddress;
        stride[index] = rowStride;
        count = Math.max(count, index + 1);
        return this;
    }

    public int count() {
        return count;
    }

    public long address(int index) {
        return address[index];
    }

    public int stride(int index) {
        return stride[index];
    }
}

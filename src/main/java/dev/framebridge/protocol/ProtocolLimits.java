package dev.framebridge.protocol;

/**
 * Bounds applied to every size read from the wire before it is used.
 *
 * @param maxPayload       largest payload_size accepted (the reference host's cap is 64 MiB); at most 2^31 - 1, so
 *                         that every size derived from an accepted frame (stride, pixel bytes) fits an int
 * @param maxDimension     largest width or height (and 1 is the smallest)
 * @param resourceImport   whether this host can import virtio-gpu resources by id (DMA-BUF path)
 */
public record ProtocolLimits(long maxPayload, int maxDimension, boolean resourceImport) {
    public static final int DEFAULT_MAX_DIMENSION = 8192;

    public ProtocolLimits {
        if (maxPayload < FrameRequestFlyweight.BODY_LENGTH || maxPayload > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max payload " + maxPayload + " must be within "
                    + FrameRequestFlyweight.BODY_LENGTH + ".." + Integer.MAX_VALUE);
        }
        if (maxDimension < 16 || maxDimension > 16384) {
            throw new IllegalArgumentException("max dimension " + maxDimension + " must be within 16..16384");
        }
    }

    public static ProtocolLimits defaults() {
        return new ProtocolLimits(Hxfr.MAX_PAYLOAD, DEFAULT_MAX_DIMENSION, false);
    }

    public ProtocolLimits withMaxPayload(long bytes) {
        return new ProtocolLimits(bytes, maxDimension, resourceImport);
    }

    public ProtocolLimits withMaxDimension(int pixels) {
        return new ProtocolLimits(maxPayload, pixels, resourceImport);
    }
}

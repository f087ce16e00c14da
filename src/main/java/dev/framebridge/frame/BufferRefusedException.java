package dev.framebridge.frame;

/**
 * A buffer offered as a pool cannot be one; the message says why and how to make one that can. {@link #reason()}
 * classifies it for counters.
 */
public final class BufferRefusedException extends Exception {
    /** Why a buffer was refused. */
    public enum Reason {
        /** A memfd without F_SEAL_SHRINK (or one that cannot be sealed). */
        UNSEALED,
        /** Neither a sealed memfd nor a DMA-BUF, or a mapping that failed. */
        NOT_MAPPABLE,
        /** Empty, or smaller than the size asked for. */
        SIZE
    }

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public BufferRefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

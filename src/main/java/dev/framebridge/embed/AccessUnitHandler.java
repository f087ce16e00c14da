package dev.framebridge.embed;

/**
 * Receives a stream's answers on the engine's delivery thread, one per submitted frame, in submission order. Return
 * promptly: the stream's encoder waits for the call to return before it encodes the stream's next frame (the access
 * unit lives in its memory), and other streams' answers wait behind it on the same thread.
 */
@FunctionalInterface
public interface AccessUnitHandler {
    /** The frame's access unit, valid during this call only. */
    void onAccessUnit(AccessUnit accessUnit);

    /**
     * The frame could not be encoded: {@code errorCode} is an HXFR error code ({@link dev.framebridge.protocol.ErrorCode})
     * and the message says why. By default ignored (the frame is simply missing from the stream).
     */
    default void onError(EncodeStream stream, long pts, int errorCode, String message) {
    }
}

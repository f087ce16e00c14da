package dev.framebridge.engine;

/** What a filled {@link dev.framebridge.frame.FrameSlot} holds, set by the I/O agent. */
final class SlotKind {
    private SlotKind() {
    }

    /** FRAME_REQUEST with pixels in the slot's pixel area. */
    static final int FRAME = 1;
    static final int PING = 2;
    static final int KEYFRAME_REQ = 3;
    static final int CONFIG_REQ = 4;
    static final int ENABLE_SCANOUT = 5;
    static final int DISABLE_SCANOUT = 6;
    static final int SUBSCRIBE = 7;
    /** The I/O agent already wrote the answer (an ERROR for a rejected request) into the answer area. */
    static final int ANSWERED = 8;
    /** FRAME_REF (or an embedded application's frame): the pixels lie in a pool at {@code referenceBase}. */
    static final int FRAME_REF = 9;
}

package dev.framebridge.protocol;

/**
 * The 12-byte header every HXFR message starts with (layout diagram: {@link HxfrLayouts#HEADER}).
 * Read-side view used before the message type is known.
 */
public final class HeaderFlyweight extends MessageFlyweight<HeaderFlyweight> {
    public HeaderFlyweight() {
        super(-1, HxfrLayouts.HEADER);
    }

    /** Writes a complete header for any type (the typed flyweights write their own type). */
    public HeaderFlyweight set(int type, int flags, int sessionId, long payloadSize) {
        header(flags, sessionId, payloadSize);
        u8(TYPE_OFFSET, type);
        return this;
    }
}

package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.SUBSCRIBE_RESPONSE;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * SUBSCRIBE_RESP, host → client: 20 bytes; its header's session_id is the scanout id.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                          scanout_id                               |
 * 16 |                        success (1/0)                              |
 * 20 +-------------------------------------------------------------------+
 * </pre>
 */
public final class SubscribeResponseFlyweight extends MessageFlyweight<SubscribeResponseFlyweight> {
    public static final long SCANOUT_ID_OFFSET = offsetOf(SUBSCRIBE_RESPONSE, "scanout_id");
    public static final long SUCCESS_OFFSET = offsetOf(SUBSCRIBE_RESPONSE, "success");
    public static final int LENGTH = (int) SUBSCRIBE_RESPONSE.byteSize();

    public SubscribeResponseFlyweight() {
        super(Hxfr.MSG_SUBSCRIBE_RESP, SUBSCRIBE_RESPONSE);
    }

    public long scanoutId() {
        return u32(SCANOUT_ID_OFFSET) & 0xFFFF_FFFFL;
    }

    public SubscribeResponseFlyweight scanoutId(long v) {
        u32(SCANOUT_ID_OFFSET, (int) v);
        return this;
    }

    public boolean success() {
        return u32(SUCCESS_OFFSET) != 0;
    }

    public SubscribeResponseFlyweight success(boolean v) {
        u32(SUCCESS_OFFSET, v ? 1 : 0);
        return this;
    }
}

package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.UNREGISTER_POOL;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * UNREGISTER_POOL, client → host: 20 bytes; answered by POOL_RESP with kind {@link Hxfr#POOL_KIND_RELEASED} once
 * every earlier request has been answered — after that answer the host holds no mapping of the buffer.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                           pool_id                                 |
 * 16 |                           reserved                                |
 * 20 +-------------------------------------------------------------------+
 * </pre>
 */
public final class UnregisterPoolFlyweight extends MessageFlyweight<UnregisterPoolFlyweight> {
    public static final long POOL_ID_OFFSET = offsetOf(UNREGISTER_POOL, "pool_id");
    public static final long RESERVED_OFFSET = offsetOf(UNREGISTER_POOL, "reserved");
    public static final int LENGTH = (int) UNREGISTER_POOL.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public UnregisterPoolFlyweight() {
        super(Hxfr.MSG_UNREGISTER_POOL, UNREGISTER_POOL);
    }

    public int poolId() {
        return u32(POOL_ID_OFFSET);
    }

    public UnregisterPoolFlyweight poolId(int id) {
        u32(POOL_ID_OFFSET, id);
        u32(RESERVED_OFFSET, 0);
        return this;
    }
}

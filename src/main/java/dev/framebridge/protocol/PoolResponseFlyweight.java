package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.POOL_RESPONSE;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * POOL_RESP, host → client: 32 bytes, the answer to REGISTER_POOL (the new pool's id, kind and mapped size) and to
 * UNREGISTER_POOL (the id, kind {@link Hxfr#POOL_KIND_RELEASED}, size 0).
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                           pool_id                                 |
 * 16 |                   kind (HXFR_POOL_KIND_*)                         |
 * 20 |                           reserved                                |
 * 24 |                     size (u64, bytes mapped)                      |
 * 32 +-------------------------------------------------------------------+
 * </pre>
 */
public final class PoolResponseFlyweight extends MessageFlyweight<PoolResponseFlyweight> {
    public static final long POOL_ID_OFFSET = offsetOf(POOL_RESPONSE, "pool_id");
    public static final long KIND_OFFSET = offsetOf(POOL_RESPONSE, "kind");
    public static final long RESERVED_OFFSET = offsetOf(POOL_RESPONSE, "reserved");
    public static final long SIZE_OFFSET = offsetOf(POOL_RESPONSE, "size");
    public static final int LENGTH = (int) POOL_RESPONSE.byteSize();

    public PoolResponseFlyweight() {
        super(Hxfr.MSG_POOL_RESP, POOL_RESPONSE);
    }

    public int poolId() {
        return u32(POOL_ID_OFFSET);
    }

    public int kind() {
        return u32(KIND_OFFSET);
    }

    public long size() {
        return i64(SIZE_OFFSET);
    }

    /** Writes a complete POOL_RESP. */
    public PoolResponseFlyweight set(int sessionId, int poolId, int kind, long size) {
        header(0, sessionId);
        u32(POOL_ID_OFFSET, poolId);
        u32(KIND_OFFSET, kind);
        u32(RESERVED_OFFSET, 0);
        i64(SIZE_OFFSET, size);
        return this;
    }
}

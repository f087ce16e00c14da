package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.HELLO;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * HELLO, client → host: 28 bytes. Opts the connection into framebridge's extension messages (0x40-0x7F); the host
 * answers HELLO_RESP, or ERROR when it does not speak {@code version}. A client that never sends HELLO is served
 * exactly as a plain HXFR client.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                     version (HXFR_EXT_VERSION)                    |
 * 16 |                  capabilities wanted (HXFR_CAP_*)                 |
 * 20 |                          reserved (8)                             |
 * 28 +-------------------------------------------------------------------+
 * </pre>
 */
public final class HelloFlyweight extends MessageFlyweight<HelloFlyweight> {
    public static final long VERSION_OFFSET = offsetOf(HELLO, "version");
    public static final long CAPABILITIES_OFFSET = offsetOf(HELLO, "capabilities");
    public static final long RESERVED_OFFSET = offsetOf(HELLO, "reserved");
    public static final int LENGTH = (int) HELLO.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public HelloFlyweight() {
        super(Hxfr.MSG_HELLO, HELLO);
    }

    public long version() {
        return u32(VERSION_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloFlyweight version(long v) {
        u32(VERSION_OFFSET, (int) v);
        return this;
    }

    public int capabilities() {
        return u32(CAPABILITIES_OFFSET);
    }

    /** Sets the capabilities wanted and zeroes the reserved bytes. */
    public HelloFlyweight capabilities(int caps) {
        u32(CAPABILITIES_OFFSET, caps);
        zero(RESERVED_OFFSET, 8);
        return this;
    }
}

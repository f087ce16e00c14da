package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.HELLO_RESPONSE;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * HELLO_RESP, host → client: 112 bytes. What this connection may use and the host's limits.
 * <pre>
 *   0 +--------------------------- header (12) ---------------------------+
 *  12 |                     version (HXFR_EXT_VERSION)                    |
 *  16 |        capabilities granted (wanted and possible on this link)    |
 *  20 |                          max_payload                              |
 *  24 |                         max_in_flight                             |
 *  28 |                         max_dimension                             |
 *  32 |                      max_pools (per connection)                   |
 *  36 |                         format_count                              |
 *  40 |               formats[8] (fourccs FRAME_REF accepts)              |
 *  72 |          encoder (32, NUL-terminated name, e.g. "x264")           |
 * 104 |                          reserved (8)                             |
 * 112 +-------------------------------------------------------------------+
 * </pre>
 */
public final class HelloResponseFlyweight extends MessageFlyweight<HelloResponseFlyweight> {
    public static final long VERSION_OFFSET = offsetOf(HELLO_RESPONSE, "version");
    public static final long CAPABILITIES_OFFSET = offsetOf(HELLO_RESPONSE, "capabilities");
    public static final long MAX_PAYLOAD_OFFSET = offsetOf(HELLO_RESPONSE, "max_payload");
    public static final long MAX_IN_FLIGHT_OFFSET = offsetOf(HELLO_RESPONSE, "max_in_flight");
    public static final long MAX_DIMENSION_OFFSET = offsetOf(HELLO_RESPONSE, "max_dimension");
    public static final long MAX_POOLS_OFFSET = offsetOf(HELLO_RESPONSE, "max_pools");
    public static final long FORMAT_COUNT_OFFSET = offsetOf(HELLO_RESPONSE, "format_count");
    public static final long FORMATS_OFFSET = offsetOf(HELLO_RESPONSE, "formats");
    public static final long ENCODER_OFFSET = offsetOf(HELLO_RESPONSE, "encoder");
    public static final long RESERVED_OFFSET = offsetOf(HELLO_RESPONSE, "reserved");
    public static final int LENGTH = (int) HELLO_RESPONSE.byteSize();

    public HelloResponseFlyweight() {
        super(Hxfr.MSG_HELLO_RESP, HELLO_RESPONSE);
    }

    public long version() {
        return u32(VERSION_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloResponseFlyweight version(long v) {
        u32(VERSION_OFFSET, (int) v);
        return this;
    }

    public int capabilities() {
        return u32(CAPABILITIES_OFFSET);
    }

    public HelloResponseFlyweight capabilities(int caps) {
        u32(CAPABILITIES_OFFSET, caps);
        return this;
    }

    public long maxPayload() {
        return u32(MAX_PAYLOAD_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloResponseFlyweight maxPayload(long v) {
        u32(MAX_PAYLOAD_OFFSET, (int) v);
        return this;
    }

    public long maxInFlight() {
        return u32(MAX_IN_FLIGHT_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloResponseFlyweight maxInFlight(long v) {
        u32(MAX_IN_FLIGHT_OFFSET, (int) v);
        return this;
    }

    public long maxDimension() {
        return u32(MAX_DIMENSION_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloResponseFlyweight maxDimension(long v) {
        u32(MAX_DIMENSION_OFFSET, (int) v);
        return this;
    }

    public long maxPools() {
        return u32(MAX_POOLS_OFFSET) & 0xFFFF_FFFFL;
    }

    public HelloResponseFlyweight maxPools(long v) {
        u32(MAX_POOLS_OFFSET, (int) v);
        return this;
    }

    /** Entries used in the format list (at most {@link Hxfr#MAX_FORMATS}; larger values are capped). */
    public int formatCount() {
        return (int) Math.min(Hxfr.MAX_FORMATS, u32(FORMAT_COUNT_OFFSET) & 0xFFFF_FFFFL);
    }

    public int format(int index) {
        return u32(FORMATS_OFFSET + 4L * index);
    }

    /** Writes the format list (fourccs), zero-filling the unused entries. */
    public HelloResponseFlyweight formats(int... fourccs) {
        if (fourccs.length > Hxfr.MAX_FORMATS) {
            throw new IllegalArgumentException("at most " + Hxfr.MAX_FORMATS + " formats fit in HELLO_RESP");
        }
        u32(FORMAT_COUNT_OFFSET, fourccs.length);
        for (int i = 0; i < Hxfr.MAX_FORMATS; i++) {
            u32(FORMATS_OFFSET + 4L * i, i < fourccs.length ? fourccs[i] : 0);
        }
        return this;
    }

    public String encoder() {
        return CString.read(segment, offset + ENCODER_OFFSET, Hxfr.ENCODER_NAME_LEN);
    }

    /** Writes the encoder name NUL-terminated and NUL-padded, and zeroes the reserved bytes. */
    public HelloResponseFlyweight encoder(CharSequence name) {
        CString.write(segment, offset + ENCODER_OFFSET, Hxfr.ENCODER_NAME_LEN, name);
        zero(RESERVED_OFFSET, 8);
        return this;
    }
}

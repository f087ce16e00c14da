package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.REGISTER_POOL;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * REGISTER_POOL, client → host: 64 bytes; answered by POOL_RESP (the pool id) or ERROR. With source
 * {@link Hxfr#POOL_SOURCE_FD} one file descriptor (a memfd sealed with F_SEAL_SHRINK, or a linear DMA-BUF) travels
 * with these bytes as SCM_RIGHTS ancillary data; with {@link Hxfr#POOL_SOURCE_REGION} {@code region} names a region
 * the host mapped at start ({@code serve --region NAME=PATH}).
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                  source (HXFR_POOL_SOURCE_FD/REGION)              |
 * 16 |                            flags (0)                              |
 * 20 |                            reserved                               |
 * 24 |              size (u64: bytes addressed; 0 = all of it)           |
 * 32 |       region (32, NUL-terminated name; source REGION only)        |
 * 64 +-------------------------------------------------------------------+
 * </pre>
 */
public final class RegisterPoolFlyweight extends MessageFlyweight<RegisterPoolFlyweight> {
    public static final long SOURCE_OFFSET = offsetOf(REGISTER_POOL, "source");
    public static final long FLAGS_OFFSET = offsetOf(REGISTER_POOL, "flags");
    public static final long RESERVED_OFFSET = offsetOf(REGISTER_POOL, "reserved");
    public static final long SIZE_OFFSET = offsetOf(REGISTER_POOL, "size");
    public static final long REGION_OFFSET = offsetOf(REGISTER_POOL, "region");
    public static final int LENGTH = (int) REGISTER_POOL.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public RegisterPoolFlyweight() {
        super(Hxfr.MSG_REGISTER_POOL, REGISTER_POOL);
    }

    public int source() {
        return u32(SOURCE_OFFSET);
    }

    /** Sets the source and zeroes flags and the reserved word. */
    public RegisterPoolFlyweight source(int source) {
        u32(SOURCE_OFFSET, source);
        u32(FLAGS_OFFSET, 0);
        u32(RESERVED_OFFSET, 0);
        return this;
    }

    /** The body's flags word (not the header's flags byte). */
    public int poolFlags() {
        return u32(FLAGS_OFFSET);
    }

    /** size as an unsigned 64-bit value (a negative long means beyond 2^63: out of any bound). */
    public long size() {
        return i64(SIZE_OFFSET);
    }

    public RegisterPoolFlyweight size(long bytes) {
        i64(SIZE_OFFSET, bytes);
        return this;
    }

    public String region() {
        return CString.read(segment, offset + REGION_OFFSET, Hxfr.REGION_NAME_LEN);
    }

    /**
     * Whether the region field holds exactly {@code name} (NUL-terminated); allocation-free, for the host's lookup.
     * Names are ASCII.
     */
    public boolean regionEquals(String name) {
        int n = name.length();
        if (n >= Hxfr.REGION_NAME_LEN) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (u8(REGION_OFFSET + i) != name.charAt(i)) {
                return false;
            }
        }
        return u8(REGION_OFFSET + n) == 0;
    }

    /** Writes the region name NUL-terminated and NUL-padded (empty for fd pools). */
    public RegisterPoolFlyweight region(CharSequence name) {
        CString.write(segment, offset + REGION_OFFSET, Hxfr.REGION_NAME_LEN, name);
        return this;
    }
}

package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.SCANOUT_RESPONSE;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * SCANOUT_RESP, host → client: 84 bytes.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                          scanout_id                               |
 * 16 |                        success (1/0)                              |
 * 20 |           connector_name (64, NUL-terminated, e.g. "Virtual-2")   |
 * 84 +-------------------------------------------------------------------+
 * </pre>
 */
public final class ScanoutResponseFlyweight extends MessageFlyweight<ScanoutResponseFlyweight> {
    public static final long SCANOUT_ID_OFFSET = offsetOf(SCANOUT_RESPONSE, "scanout_id");
    public static final long SUCCESS_OFFSET = offsetOf(SCANOUT_RESPONSE, "success");
    public static final long CONNECTOR_NAME_OFFSET = offsetOf(SCANOUT_RESPONSE, "connector_name");
    public static final int LENGTH = (int) SCANOUT_RESPONSE.byteSize();

    public ScanoutResponseFlyweight() {
        super(Hxfr.MSG_SCANOUT_RESP, SCANOUT_RESPONSE);
    }

    public long scanoutId() {
        return u32(SCANOUT_ID_OFFSET) & 0xFFFF_FFFFL;
    }

    public ScanoutResponseFlyweight scanoutId(long v) {
        u32(SCANOUT_ID_OFFSET, (int) v);
        return this;
    }

    public boolean success() {
        return u32(SUCCESS_OFFSET) != 0;
    }

    public ScanoutResponseFlyweight success(boolean v) {
        u32(SUCCESS_OFFSET, v ? 1 : 0);
        return this;
    }

    public String connectorName() {
        return CString.read(segment, offset + CONNECTOR_NAME_OFFSET, Hxfr.CONNECTOR_NAME_LEN);
    }

    /** Writes the name NUL-terminated and NUL-padded, truncated to 63 bytes of UTF-8. */
    public ScanoutResponseFlyweight connectorName(CharSequence name) {
        CString.write(segment, offset + CONNECTOR_NAME_OFFSET, Hxfr.CONNECTOR_NAME_LEN, name);
        return this;
    }
}

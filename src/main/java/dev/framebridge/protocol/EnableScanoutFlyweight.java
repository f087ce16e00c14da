package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.ENABLE_SCANOUT;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * ENABLE_SCANOUT, client → host: 28 bytes; answered by SCANOUT_RESP.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                    scanout_id (1..15)                             |
 * 16 |                             width                                 |
 * 20 |                             height                                |
 * 24 |                       refresh_rate (Hz)                           |
 * 28 +-------------------------------------------------------------------+
 * </pre>
 */
public final class EnableScanoutFlyweight extends MessageFlyweight<EnableScanoutFlyweight> {
    public static final long SCANOUT_ID_OFFSET = offsetOf(ENABLE_SCANOUT, "scanout_id");
    public static final long WIDTH_OFFSET = offsetOf(ENABLE_SCANOUT, "width");
    public static final long HEIGHT_OFFSET = offsetOf(ENABLE_SCANOUT, "height");
    public static final long REFRESH_RATE_OFFSET = offsetOf(ENABLE_SCANOUT, "refresh_rate");
    public static final int LENGTH = (int) ENABLE_SCANOUT.byteSize();

    public EnableScanoutFlyweight() {
        super(Hxfr.MSG_ENABLE_SCANOUT, ENABLE_SCANOUT);
    }

    public long scanoutId() {
        return u32(SCANOUT_ID_OFFSET) & 0xFFFF_FFFFL;
    }

    public EnableScanoutFlyweight scanoutId(long v) {
        u32(SCANOUT_ID_OFFSET, (int) v);
        return this;
    }

    public long width() {
        return u32(WIDTH_OFFSET) & 0xFFFF_FFFFL;
    }

    public EnableScanoutFlyweight width(long v) {
        u32(WIDTH_OFFSET, (int) v);
        return this;
    }

    public long height() {
        return u32(HEIGHT_OFFSET) & 0xFFFF_FFFFL;
    }

    public EnableScanoutFlyweight height(long v) {
        u32(HEIGHT_OFFSET, (int) v);
        return this;
    }

    public long refreshRate() {
        return u32(REFRESH_RATE_OFFSET) & 0xFFFF_FFFFL;
    }

    public EnableScanoutFlyweight refreshRate(long v) {
        u32(REFRESH_RATE_OFFSET, (int) v);
        return this;
    }
}

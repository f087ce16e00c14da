package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

import java.lang.foreign.StructLayout;

/**
 * The two messages whose body is a single u32 scanout_id: DISABLE_SCANOUT (no answer) and SUBSCRIBE
 * (answered by SUBSCRIBE_RESP). 16 bytes.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                          scanout_id                               |
 * 16 +-------------------------------------------------------------------+
 * </pre>
 */
public final class ScanoutIdFlyweight extends MessageFlyweight<ScanoutIdFlyweight> {
    public static final long SCANOUT_ID_OFFSET = offsetOf(HxfrLayouts.SUBSCRIBE, "scanout_id");
    public static final int LENGTH = (int) HxfrLayouts.SUBSCRIBE.byteSize();

    private ScanoutIdFlyweight(int type, StructLayout layout) {
        super(type, layout);
        if (offsetOf(layout, "scanout_id") != SCANOUT_ID_OFFSET || layout.byteSize() != LENGTH) {
            throw new AssertionError("DISABLE_SCANOUT and SUBSCRIBE layouts diverged: " + layout);
        }
    }

    public static ScanoutIdFlyweight disableScanout() {
        return new ScanoutIdFlyweight(Hxfr.MSG_DISABLE_SCANOUT, HxfrLayouts.DISABLE_SCANOUT);
    }

    public static ScanoutIdFlyweight subscribe() {
        return new ScanoutIdFlyweight(Hxfr.MSG_SUBSCRIBE, HxfrLayouts.SUBSCRIBE);
    }

    public long scanoutId() {
        return u32(SCANOUT_ID_OFFSET) & 0xFFFF_FFFFL;
    }

    public ScanoutIdFlyweight scanoutId(long v) {
        u32(SCANOUT_ID_OFFSET, (int) v);
        return this;
    }
}

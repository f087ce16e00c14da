package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.CONFIG_REQUEST;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * CONFIG_REQ, client → host: 40 bytes. The reference host answers nothing on success.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                             width                                 |
 * 16 |                             height                                |
 * 20 |                        bitrate (bits/s)                           |
 * 24 |                         framerate_num                             |
 * 28 |                         framerate_den                             |
 * 32 |    profile    |     level     |   realtime    |  reserved (5) …   |
 * 40 +-------------------------------------------------------------------+
 * </pre>
 */
public final class ConfigRequestFlyweight extends MessageFlyweight<ConfigRequestFlyweight> {
    public static final long WIDTH_OFFSET = offsetOf(CONFIG_REQUEST, "width");
    public static final long HEIGHT_OFFSET = offsetOf(CONFIG_REQUEST, "height");
    public static final long BITRATE_OFFSET = offsetOf(CONFIG_REQUEST, "bitrate");
    public static final long FRAMERATE_NUM_OFFSET = offsetOf(CONFIG_REQUEST, "framerate_num");
    public static final long FRAMERATE_DEN_OFFSET = offsetOf(CONFIG_REQUEST, "framerate_den");
    public static final long PROFILE_OFFSET = offsetOf(CONFIG_REQUEST, "profile");
    public static final long LEVEL_OFFSET = offsetOf(CONFIG_REQUEST, "level");
    public static final long REALTIME_OFFSET = offsetOf(CONFIG_REQUEST, "realtime");
    public static final long RESERVED_OFFSET = offsetOf(CONFIG_REQUEST, "reserved");
    public static final int LENGTH = (int) CONFIG_REQUEST.byteSize();
    public static final int BODY_LENGTH = LENGTH - HEADER_LENGTH;

    public ConfigRequestFlyweight() {
        super(Hxfr.MSG_CONFIG_REQ, CONFIG_REQUEST);
    }

    public long width() {
        return u32(WIDTH_OFFSET) & 0xFFFF_FFFFL;
    }

    public ConfigRequestFlyweight width(long v) {
        u32(WIDTH_OFFSET, (int) v);
        return this;
    }

    public long height() {
        return u32(HEIGHT_OFFSET) & 0xFFFF_FFFFL;
    }

    public ConfigRequestFlyweight height(long v) {
        u32(HEIGHT_OFFSET, (int) v);
        return this;
    }

    public long bitrate() {
        return u32(BITRATE_OFFSET) & 0xFFFF_FFFFL;
    }

    public ConfigRequestFlyweight bitrate(long v) {
        u32(BITRATE_OFFSET, (int) v);
        return this;
    }

    public long framerateNum() {
        return u32(FRAMERATE_NUM_OFFSET) & 0xFFFF_FFFFL;
    }

    public ConfigRequestFlyweight framerateNum(long v) {
        u32(FRAMERATE_NUM_OFFSET, (int) v);
        return this;
    }

    public long framerateDen() {
        return u32(FRAMERATE_DEN_OFFSET) & 0xFFFF_FFFFL;
    }

    public ConfigRequestFlyweight framerateDen(long v) {
        u32(FRAMERATE_DEN_OFFSET, (int) v);
        return this;
    }

    public int profile() {
        return u8(PROFILE_OFFSET);
    }

    public ConfigRequestFlyweight profile(int v) {
        u8(PROFILE_OFFSET, v);
        return this;
    }

    public int level() {
        return u8(LEVEL_OFFSET);
    }

    public ConfigRequestFlyweight level(int v) {
        u8(LEVEL_OFFSET, v);
        return this;
    }

    public boolean realtime() {
        return u8(REALTIME_OFFSET) != 0;
    }

    public ConfigRequestFlyweight realtime(boolean v) {
        u8(REALTIME_OFFSET, v ? 1 : 0);
        zero(RESERVED_OFFSET, 5);
        return this;
    }
}

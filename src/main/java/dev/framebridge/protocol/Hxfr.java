package dev.framebridge.protocol;

/**
 * Constants of the HXFR wire protocol, mirroring {@code headers/hxfr.h} (checked against it by the
 * test suite through {@code native-build/probes/hxfr.c}).
 */
public final class Hxfr {
    private Hxfr() {
    }

    /** The bytes {@code 48 58 46 52} ("HXFR") read as a little-endian u32. */
    public static final int MAGIC = 0x52465848;

    public static final int MSG_FRAME_REQUEST = 0x01;
    public static final int MSG_FRAME_RESPONSE = 0x02;
    public static final int MSG_KEYFRAME_REQ = 0x03;
    public static final int MSG_CONFIG_REQ = 0x04;
    public static final int MSG_CONFIG_RESP = 0x05;
    public static final int MSG_PING = 0x10;
    public static final int MSG_PONG = 0x11;
    public static final int MSG_ENABLE_SCANOUT = 0x20;
    public static final int MSG_DISABLE_SCANOUT = 0x21;
    public static final int MSG_SCANOUT_RESP = 0x22;
    public static final int MSG_SUBSCRIBE = 0x30;
    public static final int MSG_SUBSCRIBE_RESP = 0x31;
    public static final int MSG_ERROR = 0xFF;

    public static final int FLAG_PIXEL_DATA = 0x01;

    public static final int MAX_PAYLOAD = 64 * 1024 * 1024;
    public static final int ERROR_MESSAGE_LEN = 256;
    public static final int CONNECTOR_NAME_LEN = 64;
    public static final int DEFAULT_VSOCK_PORT = 5000;
    public static final int DEFAULT_TCP_PORT = 15937;

    /** Name of a message type for logs and errors; "0xNN" for unknown ones. */
    public static String typeName(int type) {
        return switch (type) {
            case MSG_FRAME_REQUEST -> "FRAME_REQUEST";
            case MSG_FRAME_RESPONSE -> "FRAME_RESPONSE";
            case MSG_KEYFRAME_REQ -> "KEYFRAME_REQ";
            case MSG_CONFIG_REQ -> "CONFIG_REQ";
            case MSG_CONFIG_RESP -> "CONFIG_RESP";
            case MSG_PING -> "PING";
            case MSG_PONG -> "PONG";
            case MSG_ENABLE_SCANOUT -> "ENABLE_SCANOUT";
            case MSG_DISABLE_SCANOUT -> "DISABLE_SCANOUT";
            case MSG_SCANOUT_RESP -> "SCANOUT_RESP";
            case MSG_SUBSCRIBE -> "SUBSCRIBE";
            case MSG_SUBSCRIBE_RESP -> "SUBSCRIBE_RESP";
            case MSG_ERROR -> "ERROR";
            default -> String.format("0x%02X", type);
        };
    }
}

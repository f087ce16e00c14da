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

    // Extension messages (0x40-0x7F), only after HELLO: see docs/PROTOCOL-EXTENSIONS.md.
    public static final int MSG_HELLO = 0x40;
    public static final int MSG_HELLO_RESP = 0x41;
    public static final int MSG_REGISTER_POOL = 0x42;
    public static final int MSG_POOL_RESP = 0x43;
    public static final int MSG_UNREGISTER_POOL = 0x44;
    public static final int MSG_FRAME_REF = 0x45;
    /** First and last type of the extension range. */
    public static final int MSG_EXTENSION_FIRST = 0x40;
    public static final int MSG_EXTENSION_LAST = 0x7F;

    public static final int FLAG_PIXEL_DATA = 0x01;

    public static final int MAX_PAYLOAD = 64 * 1024 * 1024;
    public static final int ERROR_MESSAGE_LEN = 256;
    public static final int CONNECTOR_NAME_LEN = 64;
    public static final int DEFAULT_VSOCK_PORT = 5000;
    public static final int DEFAULT_TCP_PORT = 15937;

    /** The extension version this host speaks (HELLO.version). */
    public static final int EXT_VERSION = 1;
    /** HELLO/HELLO_RESP capabilities: fd pools (SCM_RIGHTS, Unix sockets only). */
    public static final int CAP_POOL_FD = 0x1;
    /** Pools naming a region the host mapped at start ({@code serve --region}), on any transport. */
    public static final int CAP_POOL_REGION = 0x2;
    /** FRAME_REF. */
    public static final int CAP_FRAME_REF = 0x4;
    public static final int POOL_SOURCE_FD = 1;
    public static final int POOL_SOURCE_REGION = 2;
    public static final int POOL_KIND_RELEASED = 0;
    public static final int POOL_KIND_MEMFD = 1;
    public static final int POOL_KIND_DMABUF = 2;
    public static final int POOL_KIND_REGION = 3;
    public static final int REF_FLAG_KEYFRAME = 0x1;
    public static final int MAX_PLANES = 4;
    public static final int MAX_FORMATS = 8;
    public static final int REGION_NAME_LEN = 32;
    public static final int ENCODER_NAME_LEN = 32;

    /** Whether {@code type} is in the extension range (0x40-0x7F). */
    public static boolean isExtension(int type) {
        return type >= MSG_EXTENSION_FIRST && type <= MSG_EXTENSION_LAST;
    }

    /** Name of a pool kind (POOL_RESP.kind) for logs and errors. */
    public static String poolKindName(int kind) {
        return switch (kind) {
            case POOL_KIND_RELEASED -> "released";
            case POOL_KIND_MEMFD -> "memfd";
            case POOL_KIND_DMABUF -> "dma-buf";
            case POOL_KIND_REGION -> "region";
            default -> "kind " + kind;
        };
    }

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
            case MSG_HELLO -> "HELLO";
            case MSG_HELLO_RESP -> "HELLO_RESP";
            case MSG_REGISTER_POOL -> "REGISTER_POOL";
            case MSG_POOL_RESP -> "POOL_RESP";
            case MSG_UNREGISTER_POOL -> "UNREGISTER_POOL";
            case MSG_FRAME_REF -> "FRAME_REF";
            default -> String.format("0x%02X", type);
        };
    }
}

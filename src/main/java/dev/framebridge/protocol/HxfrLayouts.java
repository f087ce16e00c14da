package dev.framebridge.protocol;

import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * FFM layouts of every HXFR message, named and ordered exactly as the structs in {@code headers/hxfr.h}.
 * Wire structs are packed and little-endian, so every value layout is unaligned with explicit byte order.
 * The offsets the flyweights use are derived from these layouts, and these layouts are checked against
 * the C compiler's view of hxfr.h by the test suite.
 */
public final class HxfrLayouts {
    private HxfrLayouts() {
    }

    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32 = U32;
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * <pre>
     *  0               1               2               3
     *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
     * +---------------------------------------------------------------+
     * |                      magic 0x52465848 "HXFR"                  |  0
     * +---------------+---------------+-------------------------------+
     * |     type      |     flags     |          session_id           |  4
     * +---------------+---------------+-------------------------------+
     * |                         payload_size                          |  8
     * +---------------------------------------------------------------+
     * </pre>
     */
    public static final StructLayout HEADER = structLayout(
            U32.withName("magic"),
            U8.withName("type"),
            U8.withName("flags"),
            U16.withName("session_id"),
            U32.withName("payload_size")).withName("hxfr_header");

    public static final StructLayout FRAME_REQUEST = structLayout(
            HEADER.withName("header"),
            U32.withName("resource_id"),
            U32.withName("width"),
            U32.withName("height"),
            U32.withName("format"),
            U32.withName("stride"),
            I64.withName("pts"),
            I64.withName("duration"),
            U8.withName("force_keyframe"),
            sequenceLayout(7, U8).withName("reserved")).withName("hxfr_frame_request");

    public static final StructLayout FRAME_RESPONSE = structLayout(
            HEADER.withName("header"),
            I64.withName("pts"),
            I64.withName("dts"),
            U8.withName("is_keyframe"),
            sequenceLayout(3, U8).withName("reserved"),
            U32.withName("nal_count")).withName("hxfr_frame_response");

    public static final StructLayout NAL_ENTRY = structLayout(
            U32.withName("size")).withName("hxfr_nal_entry");

    public static final StructLayout CONFIG_REQUEST = structLayout(
            HEADER.withName("header"),
            U32.withName("width"),
            U32.withName("height"),
            U32.withName("bitrate"),
            U32.withName("framerate_num"),
            U32.withName("framerate_den"),
            U8.withName("profile"),
            U8.withName("level"),
            U8.withName("realtime"),
            sequenceLayout(5, U8).withName("reserved")).withName("hxfr_config_request");

    public static final StructLayout ENABLE_SCANOUT = structLayout(
            HEADER.withName("header"),
            U32.withName("scanout_id"),
            U32.withName("width"),
            U32.withName("height"),
            U32.withName("refresh_rate")).withName("hxfr_enable_scanout");

    public static final StructLayout DISABLE_SCANOUT = structLayout(
            HEADER.withName("header"),
            U32.withName("scanout_id")).withName("hxfr_disable_scanout");

    public static final StructLayout SCANOUT_RESPONSE = structLayout(
            HEADER.withName("header"),
            U32.withName("scanout_id"),
            U32.withName("success"),
            sequenceLayout(Hxfr.CONNECTOR_NAME_LEN, U8).withName("connector_name")).withName("hxfr_scanout_response");

    public static final StructLayout SUBSCRIBE = structLayout(
            HEADER.withName("header"),
            U32.withName("scanout_id")).withName("hxfr_subscribe");

    public static final StructLayout SUBSCRIBE_RESPONSE = structLayout(
            HEADER.withName("header"),
            U32.withName("scanout_id"),
            U32.withName("success")).withName("hxfr_subscribe_response");

    public static final StructLayout ERROR = structLayout(
            HEADER.withName("header"),
            I32.withName("error_code"),
            sequenceLayout(Hxfr.ERROR_MESSAGE_LEN, U8).withName("message")).withName("hxfr_error");

    // ---- extension messages (docs/PROTOCOL-EXTENSIONS.md) ----

    public static final StructLayout HELLO = structLayout(
            HEADER.withName("header"),
            U32.withName("version"),
            U32.withName("capabilities"),
            sequenceLayout(8, U8).withName("reserved")).withName("hxfr_hello");

    public static final StructLayout HELLO_RESPONSE = structLayout(
            HEADER.withName("header"),
            U32.withName("version"),
            U32.withName("capabilities"),
            U32.withName("max_payload"),
            U32.withName("max_in_flight"),
            U32.withName("max_dimension"),
            U32.withName("max_pools"),
            U32.withName("format_count"),
            sequenceLayout(Hxfr.MAX_FORMATS, U32).withName("formats"),
            sequenceLayout(Hxfr.ENCODER_NAME_LEN, U8).withName("encoder"),
            sequenceLayout(8, U8).withName("reserved")).withName("hxfr_hello_response");

    public static final StructLayout REGISTER_POOL = structLayout(
            HEADER.withName("header"),
            U32.withName("source"),
            U32.withName("flags"),
            U32.withName("reserved"),
            I64.withName("size"),
            sequenceLayout(Hxfr.REGION_NAME_LEN, U8).withName("region")).withName("hxfr_register_pool");

    public static final StructLayout POOL_RESPONSE = structLayout(
            HEADER.withName("header"),
            U32.withName("pool_id"),
            U32.withName("kind"),
            U32.withName("reserved"),
            I64.withName("size")).withName("hxfr_pool_response");

    public static final StructLayout UNREGISTER_POOL = structLayout(
            HEADER.withName("header"),
            U32.withName("pool_id"),
            U32.withName("reserved")).withName("hxfr_unregister_pool");

    public static final StructLayout FRAME_REF = structLayout(
            HEADER.withName("header"),
            U32.withName("pool_id"),
            U32.withName("format"),
            U32.withName("width"),
            U32.withName("height"),
            U32.withName("flags"),
            I64.withName("offset"),
            sequenceLayout(Hxfr.MAX_PLANES, U32).withName("plane_offset"),
            sequenceLayout(Hxfr.MAX_PLANES, U32).withName("stride"),
            I64.withName("pts"),
            I64.withName("duration")).withName("hxfr_frame_ref");

    /** Every message layout, for the layout check. */
    public static final StructLayout[] ALL = {
        HEADER, FRAME_REQUEST, FRAME_RESPONSE, NAL_ENTRY, CONFIG_REQUEST, ENABLE_SCANOUT, DISABLE_SCANOUT,
        SCANOUT_RESPONSE, SUBSCRIBE, SUBSCRIBE_RESPONSE, ERROR,
        HELLO, HELLO_RESPONSE, REGISTER_POOL, POOL_RESPONSE, UNREGISTER_POOL, FRAME_REF
    };

    /** Offset of a top-level member, computed once into static finals by callers. */
    public static long offsetOf(StructLayout layout, String member) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    /** Size of the body after the 12-byte header. */
    public static int bodySize(StructLayout layout) {
        return (int) (layout.byteSize() - HEADER.byteSize());
    }
}

package dev.framebridge.protocol;

import static java.lang.foreign.MemoryLayout.structLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.LayoutFacts;
import dev.framebridge.nativebuild.NativeProbe;
import java.lang.foreign.StructLayout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java layouts and constants of the protocol agree with what the C compiler makes of headers/hxfr.h. */
class HxfrLayoutTest {
    private static Map<String, Long> fromC;

    @BeforeAll
    static void runProbe() throws Exception {
        fromC = NativeProbe.facts("hxfr");
    }

    static LayoutFacts javaFacts(StructLayout... layouts) {
        LayoutFacts facts = new LayoutFacts();
        for (StructLayout layout : layouts) {
            facts.struct(layout);
        }
        return facts
                .constant("HXFR_MAGIC", Hxfr.MAGIC & 0xFFFF_FFFFL)
                .constant("HXFR_MSG_FRAME_REQUEST", Hxfr.MSG_FRAME_REQUEST)
                .constant("HXFR_MSG_FRAME_RESPONSE", Hxfr.MSG_FRAME_RESPONSE)
                .constant("HXFR_MSG_KEYFRAME_REQ", Hxfr.MSG_KEYFRAME_REQ)
                .constant("HXFR_MSG_CONFIG_REQ", Hxfr.MSG_CONFIG_REQ)
                .constant("HXFR_MSG_CONFIG_RESP", Hxfr.MSG_CONFIG_RESP)
                .constant("HXFR_MSG_PING", Hxfr.MSG_PING)
                .constant("HXFR_MSG_PONG", Hxfr.MSG_PONG)
                .constant("HXFR_MSG_ENABLE_SCANOUT", Hxfr.MSG_ENABLE_SCANOUT)
                .constant("HXFR_MSG_DISABLE_SCANOUT", Hxfr.MSG_DISABLE_SCANOUT)
                .constant("HXFR_MSG_SCANOUT_RESP", Hxfr.MSG_SCANOUT_RESP)
                .constant("HXFR_MSG_SUBSCRIBE", Hxfr.MSG_SUBSCRIBE)
                .constant("HXFR_MSG_SUBSCRIBE_RESP", Hxfr.MSG_SUBSCRIBE_RESP)
                .constant("HXFR_MSG_ERROR", Hxfr.MSG_ERROR)
                .constant("HXFR_MSG_HELLO", Hxfr.MSG_HELLO)
                .constant("HXFR_MSG_HELLO_RESP", Hxfr.MSG_HELLO_RESP)
                .constant("HXFR_MSG_REGISTER_POOL", Hxfr.MSG_REGISTER_POOL)
                .constant("HXFR_MSG_POOL_RESP", Hxfr.MSG_POOL_RESP)
                .constant("HXFR_MSG_UNREGISTER_POOL", Hxfr.MSG_UNREGISTER_POOL)
                .constant("HXFR_MSG_FRAME_REF", Hxfr.MSG_FRAME_REF)
                .constant("HXFR_FLAG_PIXEL_DATA", Hxfr.FLAG_PIXEL_DATA)
                .constant("HXFR_OK", ErrorCode.OK)
                .constant("HXFR_ERR_INVALID_MSG", ErrorCode.INVALID_MSG)
                .constant("HXFR_ERR_RESOURCE_NOT_FOUND", ErrorCode.RESOURCE_NOT_FOUND)
                .constant("HXFR_ERR_NOT_METAL_TEXTURE", ErrorCode.NOT_METAL_TEXTURE)
                .constant("HXFR_ERR_NO_IOSURFACE", ErrorCode.NO_IOSURFACE)
                .constant("HXFR_ERR_ENCODE_FAILED", ErrorCode.ENCODE_FAILED)
                .constant("HXFR_ERR_NOT_CONFIGURED", ErrorCode.NOT_CONFIGURED)
                .constant("HXFR_ERR_LIMIT", ErrorCode.LIMIT)
                .constant("HXFR_ERR_POOL_REFUSED", ErrorCode.POOL_REFUSED)
                .constant("HXFR_ERR_INTERNAL", ErrorCode.INTERNAL)
                .constant("HXFR_FORMAT_BGRA8888", PixelFormat.BGRA8888.fourcc())
                .constant("HXFR_FORMAT_RGBA8888", PixelFormat.RGBA8888.fourcc())
                .constant("HXFR_FORMAT_NV12", PixelFormat.NV12.fourcc())
                .constant("HXFR_FORMAT_I420", PixelFormat.I420.fourcc())
                .constant("HXFR_MAX_PAYLOAD", Hxfr.MAX_PAYLOAD)
                .constant("HXFR_ERROR_MESSAGE_LEN", Hxfr.ERROR_MESSAGE_LEN)
                .constant("HXFR_CONNECTOR_NAME_LEN", Hxfr.CONNECTOR_NAME_LEN)
                .constant("HXFR_DEFAULT_VSOCK_PORT", Hxfr.DEFAULT_VSOCK_PORT)
                .constant("HXFR_DEFAULT_TCP_PORT", Hxfr.DEFAULT_TCP_PORT)
                .constant("HXFR_EXT_VERSION", Hxfr.EXT_VERSION)
                .constant("HXFR_CAP_POOL_FD", Hxfr.CAP_POOL_FD)
                .constant("HXFR_CAP_POOL_REGION", Hxfr.CAP_POOL_REGION)
                .constant("HXFR_CAP_FRAME_REF", Hxfr.CAP_FRAME_REF)
                .constant("HXFR_POOL_SOURCE_FD", Hxfr.POOL_SOURCE_FD)
                .constant("HXFR_POOL_SOURCE_REGION", Hxfr.POOL_SOURCE_REGION)
                .constant("HXFR_POOL_KIND_RELEASED", Hxfr.POOL_KIND_RELEASED)
                .constant("HXFR_POOL_KIND_MEMFD", Hxfr.POOL_KIND_MEMFD)
                .constant("HXFR_POOL_KIND_DMABUF", Hxfr.POOL_KIND_DMABUF)
                .constant("HXFR_POOL_KIND_REGION", Hxfr.POOL_KIND_REGION)
                .constant("HXFR_REF_FLAG_KEYFRAME", Hxfr.REF_FLAG_KEYFRAME)
                .constant("HXFR_MAX_PLANES", Hxfr.MAX_PLANES)
                .constant("HXFR_MAX_FORMATS", Hxfr.MAX_FORMATS)
                .constant("HXFR_REGION_NAME_LEN", Hxfr.REGION_NAME_LEN)
                .constant("HXFR_ENCODER_NAME_LEN", Hxfr.ENCODER_NAME_LEN);
    }

    @Test
    void everyJavaLayoutAndConstantMatchesTheCompiledHeader() {
        List<String> problems = LayoutCheck.problems(fromC, javaFacts(HxfrLayouts.ALL).toMap(), true);
        assertEquals(List.of(), problems, "Java and headers/hxfr.h disagree");
    }

    @Test
    void checkCatchesAFieldAtTheWrongOffset() {
        // FRAME_REQUEST with width and height swapped: same size, two wrong offsets.
        StructLayout wrong = structLayout(
                HxfrLayouts.HEADER.withName("header"),
                HxfrLayouts.U32.withName("resource_id"),
                HxfrLayouts.U32.withName("height"),
                HxfrLayouts.U32.withName("width"),
                HxfrLayouts.U32.withName("format"),
                HxfrLayouts.U32.withName("stride"),
                HxfrLayouts.I64.withName("pts"),
                HxfrLayouts.I64.withName("duration"),
                HxfrLayouts.U8.withName("force_keyframe"),
                java.lang.foreign.MemoryLayout.sequenceLayout(7, HxfrLayouts.U8).withName("reserved"))
                .withName("hxfr_frame_request");
        List<String> problems = LayoutCheck.problems(fromC, javaFacts(wrong).toMap(), false);
        assertEquals(List.of("hxfr_frame_request.height: C says 20, Java says 16",
                "hxfr_frame_request.width: C says 16, Java says 20"), problems);
    }

    @Test
    void checkCatchesAFieldOfTheWrongSize() {
        StructLayout wrong = structLayout(
                HxfrLayouts.U32.withName("magic"),
                HxfrLayouts.U8.withName("type"),
                HxfrLayouts.U8.withName("flags"),
                HxfrLayouts.U32.withName("session_id"),
                HxfrLayouts.U32.withName("payload_size")).withName("hxfr_header");
        List<String> problems = LayoutCheck.problems(fromC, new LayoutFacts().struct(wrong).toMap(), false);
        assertTrue(problems.contains("hxfr_header.session_id.sizeof: C says 2, Java says 4"), problems.toString());
        assertTrue(problems.contains("hxfr_header.payload_size: C says 8, Java says 10"), problems.toString());
        assertTrue(problems.contains("hxfr_header.sizeof: C says 12, Java says 14"), problems.toString());
    }

    @Test
    void checkCatchesAWrongConstantAndAFieldJavaForgot() {
        Map<String, Long> java = new LayoutFacts().constant("HXFR_MSG_PING", 0x11).toMap();
        assertEquals(List.of("HXFR_MSG_PING: C says 16, Java says 17"), LayoutCheck.problems(fromC, java, false));
        List<String> incomplete = LayoutCheck.problems(fromC, java, true);
        assertTrue(incomplete.contains("hxfr_error.message: C says 16 but Java declares nothing"), incomplete.toString());
    }

    @Test
    void messageSizesAreThoseOfTheProtocolDocument() {
        assertEquals(12, HxfrLayouts.HEADER.byteSize());
        assertEquals(56, FrameRequestFlyweight.LENGTH);
        assertEquals(36, FrameResponseFlyweight.LENGTH);
        assertEquals(40, ConfigRequestFlyweight.LENGTH);
        assertEquals(28, EnableScanoutFlyweight.LENGTH);
        assertEquals(16, ScanoutIdFlyweight.LENGTH);
        assertEquals(84, ScanoutResponseFlyweight.LENGTH);
        assertEquals(20, SubscribeResponseFlyweight.LENGTH);
        assertEquals(272, ErrorFlyweight.LENGTH);
    }

    @Test
    void extensionMessageSizesAreThoseOfTheExtensionsPage() {
        assertEquals(28, HelloFlyweight.LENGTH);
        assertEquals(112, HelloResponseFlyweight.LENGTH);
        assertEquals(64, RegisterPoolFlyweight.LENGTH);
        assertEquals(32, PoolResponseFlyweight.LENGTH);
        assertEquals(20, UnregisterPoolFlyweight.LENGTH);
        assertEquals(88, FrameRefFlyweight.LENGTH);
        // every 64-bit field of the new messages sits on an 8-byte boundary, so C peers may use the structs in place
        assertEquals(24, RegisterPoolFlyweight.SIZE_OFFSET);
        assertEquals(24, PoolResponseFlyweight.SIZE_OFFSET);
        assertEquals(32, FrameRefFlyweight.FRAME_OFFSET_OFFSET);
        assertEquals(72, FrameRefFlyweight.PTS_OFFSET);
        assertEquals(80, FrameRefFlyweight.DURATION_OFFSET);
    }
}

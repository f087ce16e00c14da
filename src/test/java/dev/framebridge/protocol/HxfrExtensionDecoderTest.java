package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The extension rules of the decoder: opt-in by HELLO, pool registration checks, every bound of a FRAME_REF. */
class HxfrExtensionDecoderTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(128);
    private final HxfrDecoder decoder = new HxfrDecoder(ProtocolLimits.defaults());

    @AfterEach
    void close() {
        arena.close();
    }

    private void assertRejected(int verdict, int code, String message) {
        assertEquals(HxfrDecoder.REJECT, verdict, "verdict");
        assertEquals(code, decoder.rejection().errorCode(), "error code");
        assertEquals(false, decoder.rejection().closeConnection(), "an extension refusal never closes the connection");
        assertEquals(message, decoder.rejection().message().toString());
    }

    @Test
    void withoutHelloEveryExtensionTypeButHelloIsSkippedAsBefore() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        for (int type : new int[] {Hxfr.MSG_REGISTER_POOL, Hxfr.MSG_UNREGISTER_POOL, Hxfr.MSG_FRAME_REF,
                Hxfr.MSG_HELLO_RESP, Hxfr.MSG_POOL_RESP, 0x46, 0x7F}) {
            h.set(type, 0, 1, 100);
            assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h), Hxfr.typeName(type));
            assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h, false), Hxfr.typeName(type));
        }
        h.set(Hxfr.MSG_HELLO, 0, 1, HelloFlyweight.BODY_LENGTH);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h), "HELLO is the opt-in: always answered");
    }

    @Test
    void afterHelloRequestsAreAcceptedAndHostMessagesStillSkipped() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        h.set(Hxfr.MSG_REGISTER_POOL, 0, 1, RegisterPoolFlyweight.BODY_LENGTH);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h, true));
        h.set(Hxfr.MSG_UNREGISTER_POOL, 0, 1, UnregisterPoolFlyweight.BODY_LENGTH + 4);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h, true), "a longer message is read and the tail skipped");
        h.set(Hxfr.MSG_FRAME_REF, 0, 1, FrameRefFlyweight.BODY_LENGTH);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h, true));
        h.set(Hxfr.MSG_POOL_RESP, 0, 1, 20);
        assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h, true));
        h.set(0x60, 0, 1, 0);
        assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h, true));
        for (int type : new int[] {Hxfr.MSG_HELLO, Hxfr.MSG_REGISTER_POOL, Hxfr.MSG_UNREGISTER_POOL, Hxfr.MSG_FRAME_REF}) {
            assertTrue(HxfrDecoder.expectsAnswer(type), Hxfr.typeName(type));
        }
    }

    @Test
    void rejectsExtensionRequestsShorterThanTheirBody() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        h.set(Hxfr.MSG_FRAME_REF, 0, 1, 40);
        assertRejected(decoder.checkHeader(h, true), ErrorCode.INVALID_MSG, "FRAME_REF payload_size 40 < 76 (its fixed body)");
        h.set(Hxfr.MSG_HELLO, 0, 1, 4);
        assertRejected(decoder.checkHeader(h, false), ErrorCode.INVALID_MSG, "HELLO payload_size 4 < 16 (its fixed body)");
    }

    @Test
    void rejectsAnUnknownHelloVersionNamingTheOneSpoken() {
        HelloFlyweight hello = new HelloFlyweight().wrap(buffer, 0).header(0, 1).version(1).capabilities(Hxfr.CAP_POOL_FD);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHello(hello));
        hello.version(2);
        assertRejected(decoder.checkHello(hello), ErrorCode.INVALID_MSG, "HELLO version 2 unsupported: this host speaks"
                + " extension version 1; send HELLO with version 1 (plain HXFR needs no HELLO and keeps working)");
        hello.version(0);
        assertEquals(HxfrDecoder.REJECT, decoder.checkHello(hello));
    }

    @Test
    void registerPoolNeedsTheCapabilityForItsSource() {
        RegisterPoolFlyweight r = new RegisterPoolFlyweight().wrap(buffer, 0).header(0, 1).source(Hxfr.POOL_SOURCE_FD)
                .size(0).region("");
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkRegisterPool(r, Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF));
        assertRejected(decoder.checkRegisterPool(r, Hxfr.CAP_POOL_REGION), ErrorCode.INVALID_MSG,
                "REGISTER_POOL source=fd was not granted on this connection: fd pools need HELLO asking for"
                        + " HXFR_CAP_POOL_FD (0x1) on a Unix socket (SCM_RIGHTS); over vsock or TCP register a host"
                        + " region (serve --region) instead");
        r.source(Hxfr.POOL_SOURCE_REGION).region("guest0");
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkRegisterPool(r, Hxfr.CAP_POOL_REGION));
        assertRejected(decoder.checkRegisterPool(r, Hxfr.CAP_POOL_FD), ErrorCode.INVALID_MSG,
                "REGISTER_POOL source=region was not granted on this connection: it needs HELLO asking for"
                        + " HXFR_CAP_POOL_REGION (0x2) and a host started with serve --region NAME=PATH");
        r.source(7);
        assertRejected(decoder.checkRegisterPool(r, -1), ErrorCode.INVALID_MSG,
                "REGISTER_POOL source 7 unknown: use 1 (an fd passed with SCM_RIGHTS) or 2 (a host region by name)");
        r.source(Hxfr.POOL_SOURCE_REGION).size(-5);
        assertRejected(decoder.checkRegisterPool(r, -1), ErrorCode.INVALID_MSG,
                "REGISTER_POOL size 18446744073709551611 is beyond any buffer");
        buffer.set(HxfrLayouts.U32, RegisterPoolFlyweight.FLAGS_OFFSET, 4);
        assertRejected(decoder.checkRegisterPool(r.size(0), -1), ErrorCode.INVALID_MSG, "REGISTER_POOL flags 0x4 unknown: send 0");
    }

    @Test
    void regionNamesCompareWithoutAllocating() {
        RegisterPoolFlyweight r = new RegisterPoolFlyweight().wrap(buffer, 0).region("guest0");
        assertTrue(r.regionEquals("guest0"));
        assertEquals(false, r.regionEquals("guest"));
        assertEquals(false, r.regionEquals("guest00"));
        assertEquals("guest0", r.region());
    }

    /** A 641x361 NV12 frame with padded strides at offset 4096 of a pool that holds it exactly. */
    private FrameRefFlyweight nv12(FrameRefFlyweight f) {
        return f.header(0, 1).poolId(3).format(PixelFormat.NV12.fourcc()).width(641).height(361).refFlags(0)
                .frameOffset(4096).clearPlanes().plane(0, 0, 704).plane(1, 704L * 361, 704).pts(5).duration(1);
    }

    private static final long NV12_POOL = 4096 + 704L * 361 + 704L * 180 + 642;

    @Test
    void acceptsAFrameThatEndsOnThePoolsLastByte() {
        FrameRefFlyweight f = nv12(new FrameRefFlyweight().wrap(buffer, 0));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRef(f, NV12_POOL));
        assertRejected(decoder.checkFrameRef(f, NV12_POOL - 1), ErrorCode.INVALID_MSG,
                "FRAME_REF plane_offset[1] 254144 with stride[1] 704: plane 1 ends at byte 385602, beyond pool 3 (385601 bytes)");
    }

    @Test
    void namesEachFieldThatIsOutOfBounds() {
        FrameRefFlyweight f = nv12(new FrameRefFlyweight().wrap(buffer, 0));
        f.stride(1, 641);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF stride[1] 641 < 642 bytes of a NV12 plane 1 row 641 pixels wide");
        nv12(f).stride(0, 640);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF stride[0] 640 < 641 bytes of a NV12 plane 0 row 641 pixels wide");
        nv12(f).frameOffset(NV12_POOL);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF offset 385602 is outside pool 3 (385602 bytes)");
        nv12(f).frameOffset(-1);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF offset 18446744073709551615 is outside pool 3 (385602 bytes)");
        nv12(f).planeOffset(0, 0xFFFF_FFFFL);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF plane_offset[0] 4294967295 with stride[0] 704: plane 0 ends at byte 4295225472, beyond pool 3 (385602 bytes)");
        nv12(f).width(0);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF width x height 0x361 outside 1x1..8192x8192");
        nv12(f).height(8193);
        assertEquals(HxfrDecoder.REJECT, decoder.checkFrameRef(f, NV12_POOL));
        nv12(f).format(0x12345678);
        assertRejected(decoder.checkFrameRef(f, NV12_POOL), ErrorCode.INVALID_MSG,
                "FRAME_REF format 0x12345678 unknown: send AR24 (BGRA8888), AB24 (RGBA8888), NV12 or YU12 (I420)");
    }

    @Test
    void checksEveryPlaneOfI420AndTheOnePlaneOfBgra() {
        FrameRefFlyweight f = new FrameRefFlyweight().wrap(buffer, 0).header(0, 1).poolId(1)
                .format(PixelFormat.I420.fourcc()).width(5).height(3).frameOffset(0).clearPlanes()
                .plane(0, 0, 5).plane(1, 15, 3).plane(2, 21, 3);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRef(f, 27));
        assertRejected(decoder.checkFrameRef(f, 26), ErrorCode.INVALID_MSG,
                "FRAME_REF plane_offset[2] 21 with stride[2] 3: plane 2 ends at byte 27, beyond pool 1 (26 bytes)");
        f.stride(2, 2);
        assertRejected(decoder.checkFrameRef(f, 27), ErrorCode.INVALID_MSG,
                "FRAME_REF stride[2] 2 < 3 bytes of a YU12 plane 2 row 5 pixels wide");

        f.format(PixelFormat.BGRA8888.fourcc()).clearPlanes().plane(0, 0, 20).stride(1, 0);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRef(f, 60), "planes a format does not use are ignored");
        assertRejected(decoder.checkFrameRef(f, 59), ErrorCode.INVALID_MSG,
                "FRAME_REF plane_offset[0] 0 with stride[0] 20: plane 0 ends at byte 60, beyond pool 1 (59 bytes)");
    }
}

package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each message type against a hand-written vector taken from PROTOCOL.md's tables: the flyweight writes
 * exactly these bytes (at a non-zero, unaligned offset in off-heap memory) and reads every field back.
 */
class GoldenBytesTest {
    private static final long AT = 3; // unaligned on purpose: wire structs are packed
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(512);

    @AfterEach
    void close() {
        arena.close();
    }

    private void assertWritten(String expectedHex, int length) {
        assertEquals(Hex.normalize(expectedHex), Hex.of(buffer, AT, length));
    }

    private static MemorySegment atOffset(String hex) {
        byte[] b = Hex.bytes(hex);
        MemorySegment s = MemorySegment.ofArray(new byte[b.length + (int) AT]);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, s, AT, b.length);
        return s;
    }

    static final String FRAME_REQUEST = """
            48 58 46 52 | 01 | 01 | 01 00 | 3C 00 00 00
            00 00 00 00
            02 00 00 00
            02 00 00 00
            41 52 32 34
            08 00 00 00
            08 07 06 05 04 03 02 01
            2B 50 FE 00 00 00 00 00
            01 | 00 00 00 00 00 00 00
            """;

    @Test
    void frameRequest() {
        new FrameRequestFlyweight().wrap(buffer, AT).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 16)
                .resourceId(0).width(2).height(2).format(PixelFormat.BGRA8888.fourcc()).stride(8)
                .pts(0x0102030405060708L).duration(16_666_667L).forceKeyframe(true);
        assertWritten(FRAME_REQUEST, 56);

        FrameRequestFlyweight f = new FrameRequestFlyweight().wrap(atOffset(FRAME_REQUEST), AT);
        assertEquals(Hxfr.MAGIC, f.magic());
        assertEquals(Hxfr.MSG_FRAME_REQUEST, f.type());
        assertTrue(f.hasPixelData());
        assertEquals(1, f.sessionId());
        assertEquals(60, f.payloadSize());
        assertEquals(16, f.pixelBytes());
        assertEquals(0, f.resourceId());
        assertEquals(2, f.width());
        assertEquals(2, f.height());
        assertEquals(PixelFormat.BGRA8888, PixelFormat.ofFourcc(f.format()));
        assertEquals(8, f.stride());
        assertEquals(0x0102030405060708L, f.pts());
        assertEquals(16_666_667L, f.duration());
        assertTrue(f.forceKeyframe());
    }

    static final String FRAME_RESPONSE = """
            48 58 46 52 | 02 | 00 | 01 00 | 24 00 00 00
            00 E1 F5 05 00 00 00 00
            00 E1 F5 05 00 00 00 00
            01 | 00 00 00
            01 00 00 00
            08 00 00 00
            00 00 00 01 65 88 84 00
            """;

    @Test
    void frameResponseWithOneEntry() {
        new FrameResponseFlyweight().wrap(buffer, AT).singleEntry(1, 100_000_000L, 100_000_000L, true, 8);
        MemorySegment.copy(Hex.segment("00 00 00 01 65 88 84 00"), 0, buffer, AT + 40, 8);
        assertWritten(FRAME_RESPONSE, 48);
        assertEquals(FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH, 40);

        MemorySegment in = atOffset(FRAME_RESPONSE);
        FrameResponseFlyweight r = new FrameResponseFlyweight().wrap(in, AT);
        assertEquals(Hxfr.MSG_FRAME_RESPONSE, r.type());
        assertEquals(36, r.payloadSize());
        assertEquals(100_000_000L, r.pts());
        assertEquals(100_000_000L, r.dts());
        assertTrue(r.isKeyframe());
        assertEquals(1, r.nalCount());
        assertEquals(8, in.get(HxfrLayouts.U32, AT + FrameResponseFlyweight.LENGTH));
    }

    static final String KEYFRAME_REQ = "48 58 46 52 | 03 | 00 | 01 00 | 00 00 00 00";
    static final String PING = "48 58 46 52 | 10 | 00 | 07 00 | 00 00 00 00";
    static final String PONG = "48 58 46 52 | 11 | 00 | 07 00 | 00 00 00 00";

    @Test
    void bodylessMessages() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, AT);
        h.set(Hxfr.MSG_KEYFRAME_REQ, 0, 1, 0);
        assertWritten(KEYFRAME_REQ, 12);
        h.set(Hxfr.MSG_PING, 0, 7, 0);
        assertWritten(PING, 12);
        h.set(Hxfr.MSG_PONG, 0, 7, 0);
        assertWritten(PONG, 12);

        HeaderFlyweight r = new HeaderFlyweight().wrap(atOffset(PONG), AT);
        assertEquals(Hxfr.MSG_PONG, r.type());
        assertEquals(7, r.sessionId());
        assertEquals(0, r.payloadSize());
        assertEquals(Hxfr.MSG_KEYFRAME_REQ, new HeaderFlyweight().wrap(atOffset(KEYFRAME_REQ), AT).type());
    }

    static final String CONFIG_REQ = """
            48 58 46 52 | 04 | 00 | 01 00 | 1C 00 00 00
            00 05 00 00
            D0 02 00 00
            00 12 7A 00
            3C 00 00 00
            01 00 00 00
            4D | 29 | 01 | 00 00 00 00 00
            """;

    @Test
    void configRequest() {
        new ConfigRequestFlyweight().wrap(buffer, AT).header(0, 1).width(1280).height(720).bitrate(8_000_000)
                .framerateNum(60).framerateDen(1).profile(77).level(41).realtime(true);
        assertWritten(CONFIG_REQ, 40);

        ConfigRequestFlyweight c = new ConfigRequestFlyweight().wrap(atOffset(CONFIG_REQ), AT);
        assertEquals(28, c.payloadSize());
        assertEquals(1280, c.width());
        assertEquals(720, c.height());
        assertEquals(8_000_000, c.bitrate());
        assertEquals(60, c.framerateNum());
        assertEquals(1, c.framerateDen());
        assertEquals(77, c.profile());
        assertEquals(41, c.level());
        assertTrue(c.realtime());
    }

    static final String ENABLE_SCANOUT = """
            48 58 46 52 | 20 | 00 | 01 00 | 10 00 00 00
            02 00 00 00
            80 07 00 00
            38 04 00 00
            3C 00 00 00
            """;

    @Test
    void enableScanout() {
        new EnableScanoutFlyweight().wrap(buffer, AT).header(0, 1).scanoutId(2).width(1920).height(1080).refreshRate(60);
        assertWritten(ENABLE_SCANOUT, 28);
        EnableScanoutFlyweight e = new EnableScanoutFlyweight().wrap(atOffset(ENABLE_SCANOUT), AT);
        assertEquals(2, e.scanoutId());
        assertEquals(1920, e.width());
        assertEquals(1080, e.height());
        assertEquals(60, e.refreshRate());
    }

    static final String DISABLE_SCANOUT = "48 58 46 52 | 21 | 00 | 01 00 | 04 00 00 00 | 02 00 00 00";
    static final String SUBSCRIBE = "48 58 46 52 | 30 | 00 | 01 00 | 04 00 00 00 | 03 00 00 00";

    @Test
    void disableScanoutAndSubscribe() {
        ScanoutIdFlyweight.disableScanout().wrap(buffer, AT).header(0, 1).scanoutId(2);
        assertWritten(DISABLE_SCANOUT, 16);
        ScanoutIdFlyweight.subscribe().wrap(buffer, AT).header(0, 1).scanoutId(3);
        assertWritten(SUBSCRIBE, 16);
        ScanoutIdFlyweight s = ScanoutIdFlyweight.subscribe().wrap(atOffset(SUBSCRIBE), AT);
        assertEquals(Hxfr.MSG_SUBSCRIBE, s.type());
        assertEquals(3, s.scanoutId());
        assertEquals(2, ScanoutIdFlyweight.disableScanout().wrap(atOffset(DISABLE_SCANOUT), AT).scanoutId());
    }

    static final String SCANOUT_RESP = "48 58 46 52 | 22 | 00 | 01 00 | 48 00 00 00 | 02 00 00 00 | 01 00 00 00 |"
            + " 56 69 72 74 75 61 6C 2D 32" + " 00".repeat(55);

    @Test
    void scanoutResponse() {
        new ScanoutResponseFlyweight().wrap(buffer, AT).header(0, 1).scanoutId(2).success(true).connectorName("Virtual-2");
        assertWritten(SCANOUT_RESP, 84);
        ScanoutResponseFlyweight r = new ScanoutResponseFlyweight().wrap(atOffset(SCANOUT_RESP), AT);
        assertEquals(72, r.payloadSize());
        assertEquals(2, r.scanoutId());
        assertTrue(r.success());
        assertEquals("Virtual-2", r.connectorName());
    }

    static final String SUBSCRIBE_RESP = "48 58 46 52 | 31 | 00 | 03 00 | 08 00 00 00 | 03 00 00 00 | 00 00 00 00";

    @Test
    void subscribeResponse() {
        new SubscribeResponseFlyweight().wrap(buffer, AT).header(0, 3).scanoutId(3).success(false);
        assertWritten(SUBSCRIBE_RESP, 20);
        SubscribeResponseFlyweight r = new SubscribeResponseFlyweight().wrap(atOffset(SUBSCRIBE_RESP), AT);
        assertEquals(3, r.sessionId());
        assertEquals(3, r.scanoutId());
        assertFalse(r.success());
    }

    static final String ERROR = "48 58 46 52 | FF | 00 | 01 00 | 04 01 00 00 | FB FF FF FF | 62 6F 6F 6D" + " 00".repeat(252);

    @Test
    void errorIsAlways272BytesWithPayload260() {
        buffer.fill((byte) 0x5A); // garbage must not leak into the padding
        new ErrorFlyweight().wrap(buffer, AT).set(1, ErrorCode.ENCODE_FAILED, "boom");
        assertWritten(ERROR, 272);
        ErrorFlyweight e = new ErrorFlyweight().wrap(atOffset(ERROR), AT);
        assertEquals(260, e.payloadSize());
        assertEquals(ErrorCode.ENCODE_FAILED, e.errorCode());
        assertEquals("boom", e.message());
    }

    // ---- extension messages (docs/PROTOCOL-EXTENSIONS.md) ----

    static final String HELLO = """
            48 58 46 52 | 40 | 00 | 01 00 | 10 00 00 00
            01 00 00 00
            05 00 00 00
            00 00 00 00 00 00 00 00
            """;

    @Test
    void hello() {
        buffer.fill((byte) 0x5A);
        new HelloFlyweight().wrap(buffer, AT).header(0, 1).version(1).capabilities(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF);
        assertWritten(HELLO, 28);
        HelloFlyweight h = new HelloFlyweight().wrap(atOffset(HELLO), AT);
        assertEquals(Hxfr.MSG_HELLO, h.type());
        assertEquals(16, h.payloadSize());
        assertEquals(1, h.version());
        assertEquals(5, h.capabilities());
    }

    static final String HELLO_RESP = """
            48 58 46 52 | 41 | 00 | 01 00 | 64 00 00 00
            01 00 00 00
            07 00 00 00
            00 00 00 04
            02 00 00 00
            00 20 00 00
            08 00 00 00
            04 00 00 00
            41 52 32 34 | 41 42 32 34 | 4E 56 31 32 | 59 55 31 32
            00 00 00 00 | 00 00 00 00 | 00 00 00 00 | 00 00 00 00
            78 32 36 34 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00
            """;

    @Test
    void helloResponse() {
        buffer.fill((byte) 0x5A);
        new HelloResponseFlyweight().wrap(buffer, AT).header(0, 1).version(1).capabilities(7).maxPayload(64L << 20)
                .maxInFlight(2).maxDimension(8192).maxPools(8)
                .formats(PixelFormat.BGRA8888.fourcc(), PixelFormat.RGBA8888.fourcc(), PixelFormat.NV12.fourcc(),
                        PixelFormat.I420.fourcc())
                .encoder("x264");
        assertWritten(HELLO_RESP, 112);
        HelloResponseFlyweight r = new HelloResponseFlyweight().wrap(atOffset(HELLO_RESP), AT);
        assertEquals(Hxfr.MSG_HELLO_RESP, r.type());
        assertEquals(100, r.payloadSize());
        assertEquals(1, r.version());
        assertEquals(7, r.capabilities());
        assertEquals(64L << 20, r.maxPayload());
        assertEquals(2, r.maxInFlight());
        assertEquals(8192, r.maxDimension());
        assertEquals(8, r.maxPools());
        assertEquals(4, r.formatCount());
        assertEquals(PixelFormat.NV12.fourcc(), r.format(2));
        assertEquals(PixelFormat.I420.fourcc(), r.format(3));
        assertEquals("x264", r.encoder());
    }

    static final String REGISTER_POOL_REGION = """
            48 58 46 52 | 42 | 00 | 01 00 | 34 00 00 00
            02 00 00 00
            00 00 00 00
            00 00 00 00
            00 00 00 04 00 00 00 00
            67 75 65 73 74 30 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            """;

    @Test
    void registerPool() {
        buffer.fill((byte) 0x5A);
        new RegisterPoolFlyweight().wrap(buffer, AT).header(0, 1).source(Hxfr.POOL_SOURCE_REGION).size(64L << 20)
                .region("guest0");
        assertWritten(REGISTER_POOL_REGION, 64);
        RegisterPoolFlyweight r = new RegisterPoolFlyweight().wrap(atOffset(REGISTER_POOL_REGION), AT);
        assertEquals(Hxfr.MSG_REGISTER_POOL, r.type());
        assertEquals(52, r.payloadSize());
        assertEquals(Hxfr.POOL_SOURCE_REGION, r.source());
        assertEquals(0, r.poolFlags());
        assertEquals(64L << 20, r.size());
        assertEquals("guest0", r.region());
    }

    static final String POOL_RESP = """
            48 58 46 52 | 43 | 00 | 01 00 | 14 00 00 00
            2A 00 00 01
            01 00 00 00
            00 00 00 00
            00 D0 7E 00 00 00 00 00
            """;
    static final String UNREGISTER_POOL = "48 58 46 52 | 44 | 00 | 01 00 | 08 00 00 00 | 2A 00 00 01 | 00 00 00 00";

    @Test
    void poolResponseAndUnregister() {
        buffer.fill((byte) 0x5A);
        new PoolResponseFlyweight().wrap(buffer, AT).set(1, 0x0100002A, Hxfr.POOL_KIND_MEMFD, 8_310_784L);
        assertWritten(POOL_RESP, 32);
        PoolResponseFlyweight r = new PoolResponseFlyweight().wrap(atOffset(POOL_RESP), AT);
        assertEquals(Hxfr.MSG_POOL_RESP, r.type());
        assertEquals(0x0100002A, r.poolId());
        assertEquals(Hxfr.POOL_KIND_MEMFD, r.kind());
        assertEquals(8_310_784L, r.size());

        new UnregisterPoolFlyweight().wrap(buffer, AT).header(0, 1).poolId(0x0100002A);
        assertWritten(UNREGISTER_POOL, 20);
        assertEquals(0x0100002A, new UnregisterPoolFlyweight().wrap(atOffset(UNREGISTER_POOL), AT).poolId());
    }

    static final String FRAME_REF = """
            48 58 46 52 | 45 | 00 | 01 00 | 4C 00 00 00
            2A 00 00 01
            4E 56 31 32
            81 02 00 00
            69 01 00 00
            01 00 00 00
            00 10 00 00 00 00 00 00
            00 00 00 00 | C0 E0 03 00 | 00 00 00 00 | 00 00 00 00
            C0 02 00 00 | C0 02 00 00 | 00 00 00 00 | 00 00 00 00
            08 07 06 05 04 03 02 01
            2B 50 FE 00 00 00 00 00
            """;

    @Test
    void frameRef() {
        buffer.fill((byte) 0x5A);
        new FrameRefFlyweight().wrap(buffer, AT).header(0, 1).poolId(0x0100002A).format(PixelFormat.NV12.fourcc())
                .width(641).height(361).refFlags(Hxfr.REF_FLAG_KEYFRAME).frameOffset(4096).clearPlanes()
                .plane(0, 0, 704).plane(1, 704L * 361, 704).pts(0x0102030405060708L).duration(16_666_667L);
        assertWritten(FRAME_REF, 88);
        FrameRefFlyweight f = new FrameRefFlyweight().wrap(atOffset(FRAME_REF), AT);
        assertEquals(Hxfr.MSG_FRAME_REF, f.type());
        assertEquals(76, f.payloadSize());
        assertEquals(0x0100002A, f.poolId());
        assertEquals(PixelFormat.NV12, PixelFormat.ofFourcc(f.format()));
        assertEquals(641, f.width());
        assertEquals(361, f.height());
        assertTrue(f.forceKeyframe());
        assertEquals(4096, f.frameOffset());
        assertEquals(0, f.planeOffset(0));
        assertEquals(254_144, f.planeOffset(1));
        assertEquals(704, f.stride(0));
        assertEquals(704, f.stride(1));
        assertEquals(0, f.stride(2));
        assertEquals(0x0102030405060708L, f.pts());
        assertEquals(16_666_667L, f.duration());
    }
}

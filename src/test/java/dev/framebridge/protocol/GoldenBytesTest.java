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
}

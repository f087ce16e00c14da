package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every validation rule of the decoder, with the error code and message each yields. */
class HxfrDecoderTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(FrameRequestFlyweight.LENGTH);
    private final HxfrDecoder decoder = new HxfrDecoder(ProtocolLimits.defaults());
    private final FrameRequestFlyweight frame = new FrameRequestFlyweight().wrap(buffer, 0);

    @AfterEach
    void close() {
        arena.close();
    }

    /** A valid 640x480 BGRA frame request with exactly the pixels it needs. */
    private FrameRequestFlyweight validFrame() {
        return frame.header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 640L * 4 * 480).resourceId(0).width(640).height(480)
                .format(PixelFormat.BGRA8888.fourcc()).stride(640 * 4).pts(1).duration(1).forceKeyframe(false);
    }

    private static void assertRejected(int verdict, HxfrDecoder decoder, String message) {
        assertEquals(HxfrDecoder.REJECT, verdict, "verdict");
        assertEquals(ErrorCode.INVALID_MSG, decoder.rejection().errorCode(), "error code");
        assertFalse(decoder.rejection().closeConnection(), "close");
        assertEquals(message, decoder.rejection().message().toString());
    }

    private void assertRejected(int verdict, int code, boolean close, String message) {
        assertEquals(HxfrDecoder.REJECT, verdict, "verdict");
        assertEquals(code, decoder.rejection().errorCode(), "error code");
        assertEquals(close, decoder.rejection().closeConnection(), "close");
        assertEquals(message, decoder.rejection().message().toString());
    }

    @Test
    void acceptsAValidFrameRequest() {
        validFrame();
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(frame));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(frame));
    }

    @Test
    void acceptsPaddedStrideAndTrailingBytes() {
        validFrame().stride(4096).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 4096L * 480 + 100);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(frame));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(frame));
    }

    @Test
    void rejectsBadMagicAndClosesTheConnection() {
        validFrame();
        buffer.set(HxfrLayouts.U32, 0, 0x50545448); // "HTTP"
        assertRejected(decoder.checkHeader(frame), ErrorCode.INVALID_MSG, true,
                "bad magic 0x50545448 (expected 0x52465848, \"HXFR\"): not an HXFR client, or the stream lost sync; closing");
    }

    @Test
    void rejectsPayloadOverTheCapAndCloses() {
        validFrame().header(Hxfr.FLAG_PIXEL_DATA, 1, 0xFFFF_FFF0L);
        assertRejected(decoder.checkHeader(frame), ErrorCode.INVALID_MSG, true,
                "FRAME_REQUEST payload_size 4294967280 exceeds the limit of 67108864 bytes"
                        + " (raise --max-payload if frames are really this large); closing");
    }

    @Test
    void appliesAConfiguredPayloadCap() {
        HxfrDecoder small = new HxfrDecoder(ProtocolLimits.defaults().withMaxPayload(1000));
        validFrame();
        assertEquals(HxfrDecoder.REJECT, small.checkHeader(frame));
        assertTrue(small.rejection().message().toString().contains("exceeds the limit of 1000 bytes"));
    }

    @Test
    void rejectsFrameRequestShorterThanItsBody() {
        validFrame().header(Hxfr.FLAG_PIXEL_DATA, 1, 20);
        assertRejected(decoder.checkHeader(frame), ErrorCode.INVALID_MSG, false,
                "FRAME_REQUEST payload_size 20 < 44 (its fixed body)");
    }

    @Test
    void rejectsExtraBytesWithoutThePixelFlag() {
        validFrame().header(0, 1, 100);
        assertRejected(decoder.checkHeader(frame), ErrorCode.INVALID_MSG, false,
                "FRAME_REQUEST without PIXEL_DATA has payload_size 100, expected 44: set flag PIXEL_DATA (0x01) when pixels follow");
    }

    @Test
    void rejectsZeroWidth() {
        validFrame().width(0);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false, "frame size 0x480 outside 1x1..8192x8192");
    }

    @Test
    void rejectsHeightOverTheLimit() {
        validFrame().height(8193);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false, "frame size 640x8193 outside 1x1..8192x8192");
    }

    @Test
    void acceptsTheLargestAndSmallestDimensions() {
        validFrame().width(1).height(1).stride(4).header(Hxfr.FLAG_PIXEL_DATA, 1, 48);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(frame));
        validFrame().width(8192).height(2).stride(8192 * 4).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 8192 * 4 * 2);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(frame));
    }

    @Test
    void rejectsUnknownFormatNamingTheFourcc() {
        validFrame().format(0x56595559); // 'YUYV'
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "pixel format YUYV unknown: send AR24 (BGRA8888), AB24 (RGBA8888) or NV12");
        validFrame().format(7);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "pixel format 0x00000007 unknown: send AR24 (BGRA8888), AB24 (RGBA8888) or NV12");
    }

    @Test
    void rejectsStrideSmallerThanARow() {
        validFrame().stride(640 * 4 - 1);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "stride 2559 < width 640 x 4 bytes per pixel (AR24)");
    }

    @Test
    void rejectsTooFewPixelBytesForRgb() {
        validFrame().width(320).height(240).stride(1280).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 1000);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "pixel payload 1000 bytes < stride 1280 x height 240 = 307200 (AR24)");
    }

    @Test
    void rejectsNv12WithoutItsChromaPlane() {
        validFrame().format(PixelFormat.NV12.fourcc()).stride(640).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 640L * 480);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "pixel payload 307200 bytes < stride 640 x height 480 x 3/2 = 460800 (NV12)");
        frame.header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + 640L * 480 * 3 / 2);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(frame));
    }

    @Test
    void rejectsResourceIdWithoutPixelsAsResourceNotFound() {
        validFrame().resourceId(42).header(0, 1, 44);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(frame));
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.RESOURCE_NOT_FOUND, false,
                "resource_id 42 cannot be imported: this host has no virtio-gpu/DMA-BUF path;"
                        + " send the pixels with flag PIXEL_DATA and resource_id 0 instead");
    }

    @Test
    void rejectsAFrameLargerThanThePayloadLimitEvenByResource() {
        // Found by HxfrDecoderFuzzTest: a frame by resource_id had no bound on its stride (4294956288 was accepted).
        HxfrDecoder importing = new HxfrDecoder(new ProtocolLimits(4096, 64, true));
        validFrame().width(64).height(64).stride(0xFFFF_D500L).resourceId(7).header(0, 1, 44);
        assertRejected(importing.checkFrameRequest(frame), importing, "frame of stride 4294956288 x height 64"
                + " = 274877202432 bytes exceeds the largest frame of 4052 bytes (--max-payload)");
        validFrame().width(16).height(16).stride(64).resourceId(7).header(0, 1, 44);
        assertEquals(HxfrDecoder.ACCEPT, importing.checkFrameRequest(frame));
    }

    @Test
    void payloadLimitFitsAnInt() {
        assertThrows(IllegalArgumentException.class, () -> ProtocolLimits.defaults().withMaxPayload(1L << 31));
        assertEquals(Integer.MAX_VALUE, ProtocolLimits.defaults().withMaxPayload(Integer.MAX_VALUE).maxPayload());
    }

    @Test
    void rejectsAFrameWithNeitherPixelsNorResource() {
        validFrame().header(0, 1, 44);
        assertRejected(decoder.checkFrameRequest(frame), ErrorCode.INVALID_MSG, false,
                "FRAME_REQUEST carries neither pixels (flag PIXEL_DATA) nor a resource_id");
    }

    @Test
    void skipsUnknownTypesAndHostToClientTypes() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        for (int type : new int[] {0x42, 0x7F, Hxfr.MSG_FRAME_RESPONSE, Hxfr.MSG_PONG, Hxfr.MSG_ERROR,
                Hxfr.MSG_SCANOUT_RESP, Hxfr.MSG_SUBSCRIBE_RESP, Hxfr.MSG_CONFIG_RESP}) {
            h.set(type, 0, 1, 10);
            assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h), Hxfr.typeName(type));
        }
    }

    @Test
    void acceptsPingAndKeyframeRequest() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        h.set(Hxfr.MSG_PING, 0, 9, 0);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h));
        h.set(Hxfr.MSG_KEYFRAME_REQ, 0, 1, 0);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h));
    }

    @Test
    void rejectsShortConfigRequestButSkipsShortDisableScanout() {
        HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, 0);
        h.set(Hxfr.MSG_CONFIG_REQ, 0, 1, 10);
        assertRejected(decoder.checkHeader(h), ErrorCode.INVALID_MSG, false, "CONFIG_REQ payload_size 10 < 28 (its fixed body)");
        h.set(Hxfr.MSG_DISABLE_SCANOUT, 0, 1, 2);
        assertEquals(HxfrDecoder.SKIP, decoder.checkHeader(h), "DISABLE_SCANOUT expects no answer, so no ERROR either");
        assertFalse(HxfrDecoder.expectsAnswer(Hxfr.MSG_DISABLE_SCANOUT));
    }

    @Test
    void validatesConfigRequests() {
        MemorySegment seg = arena.allocate(ConfigRequestFlyweight.LENGTH);
        ConfigRequestFlyweight c = new ConfigRequestFlyweight().wrap(seg, 0).header(0, 1).width(1280).height(720)
                .bitrate(4_000_000).framerateNum(30).framerateDen(1).profile(100).level(41).realtime(true);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkConfigRequest(c));
        c.profile(88);
        assertRejected(decoder.checkConfigRequest(c), ErrorCode.INVALID_MSG, false,
                "CONFIG_REQ profile 88 unsupported: use 66 (baseline), 77 (main) or 100 (high)");
        // Found by ConnectionFuzzTest: level 190 was accepted, then x264 refused to open for every frame that followed.
        c.profile(77).level(190);
        assertRejected(decoder.checkConfigRequest(c), ErrorCode.INVALID_MSG, false, "CONFIG_REQ level 190 unknown:"
                + " use 0 (the encoder chooses) or a level_idc: 9 (1b), 10-13, 20-22, 30-32, 40-42, 50-52, 60-62");
        for (int level : new int[] {14, 19, 23, 33, 43, 53, 63, 70, 255}) {
            assertEquals(HxfrDecoder.REJECT, decoder.checkConfigRequest(c.level(level)), "level " + level);
        }
        for (int level : new int[] {0, 9, 10, 13, 20, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62}) {
            assertEquals(HxfrDecoder.ACCEPT, decoder.checkConfigRequest(c.level(level)), "level " + level);
        }
        c.level(41);
        c.profile(77).framerateDen(0);
        assertRejected(decoder.checkConfigRequest(c), ErrorCode.INVALID_MSG, false,
                "CONFIG_REQ framerate 30/0: framerate_den must be non-zero");
        c.framerateDen(1).width(9000);
        assertRejected(decoder.checkConfigRequest(c), ErrorCode.INVALID_MSG, false,
                "CONFIG_REQ size 9000x720 outside 1x1..8192x8192 (0x0 keeps the current size)");
    }

    @Test
    void validatesScanoutIds() {
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkScanoutId(Hxfr.MSG_SUBSCRIBE, 15));
        assertRejected(decoder.checkScanoutId(Hxfr.MSG_ENABLE_SCANOUT, 0), ErrorCode.INVALID_MSG, false,
                "ENABLE_SCANOUT scanout_id 0 outside 1..15 (0 is the VM's own display)");
        assertRejected(decoder.checkScanoutId(Hxfr.MSG_SUBSCRIBE, 16), ErrorCode.INVALID_MSG, false,
                "SUBSCRIBE scanout_id 16 outside 1..15 (0 is the VM's own display)");
    }

    @Test
    void rejectionMessageFitsTheErrorFieldWhole() {
        validFrame().format(0x56595559);
        decoder.checkFrameRequest(frame);
        MemorySegment err = arena.allocate(ErrorFlyweight.LENGTH);
        ErrorFlyweight e = new ErrorFlyweight().wrap(err, 0).set(1, decoder.rejection().errorCode(), decoder.rejection().message());
        assertEquals(decoder.rejection().message().toString(), e.message());
        assertEquals(260, e.payloadSize());
    }

    @Test
    void theLargestFixedRequestIsFrameRefsHeaderAndBody() {
        // What a frame slot's request area is sized from: grows by itself when a type with a longer body is added
        // (FRAME_REF, 88 bytes, is longer than FRAME_REQUEST's 56).
        assertEquals(FrameRefFlyweight.LENGTH, HxfrDecoder.LARGEST_FIXED_REQUEST);
        assertTrue(dev.framebridge.frame.FrameSlot.REQUEST_AREA >= HxfrDecoder.LARGEST_FIXED_REQUEST);
        assertTrue(dev.framebridge.frame.FrameSlot.ANSWER_AREA >= ErrorFlyweight.LENGTH);
    }
}

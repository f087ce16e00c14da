package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Arbitrary bytes into the request decoder, walked as the engine's reader walks a stream: header, then the
 * fixed body, then the payload skipped. Every message must end in a clean verdict — ACCEPT, SKIP or REJECT with
 * an ERROR a client can read — and never in an exception (the one documented one is a flyweight wrapped on too few
 * bytes); the flyweights are wrapped on slices exactly as long as the bytes that arrived, so a read past them fails.
 * What the reader later trusts of an accepted message is asserted here (sizes within the limits, pixel accounting
 * adding up to payload_size, values it casts to int fitting one).
 *
 * <p>Input: byte 0 picks the limits (below), the rest is the stream. Every test run replays the inputs in
 * {@code HxfrDecoderFuzzTestInputs/}; {@code bin/fuzz decoder SECONDS} fuzzes (see README, "Fuzzing").
 */
class HxfrDecoderFuzzTest {
    /** The fuzzer picks one: the defaults, a small host, the widest limits the config accepts, the narrowest. */
    private static final ProtocolLimits[] LIMITS = {
        ProtocolLimits.defaults(),
        new ProtocolLimits(4096, 64, true),
        new ProtocolLimits(Integer.MAX_VALUE, 16384, true),
        new ProtocolLimits(FrameRequestFlyweight.BODY_LENGTH, 16, false),
    };

    private final HxfrDecoder[] decoders = new HxfrDecoder[LIMITS.length];
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final FrameRequestFlyweight frame = new FrameRequestFlyweight();
    private final ConfigRequestFlyweight config = new ConfigRequestFlyweight();
    private final EnableScanoutFlyweight enableScanout = new EnableScanoutFlyweight();
    private final ScanoutIdFlyweight subscribe = ScanoutIdFlyweight.subscribe();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final MemorySegment errorBuffer = Arena.ofAuto().allocate(ErrorFlyweight.LENGTH);

    HxfrDecoderFuzzTest() {
        for (int i = 0; i < LIMITS.length; i++) {
            decoders[i] = new HxfrDecoder(LIMITS[i]);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void anyBytesAreDecodedOrCleanlyRejected(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HxfrDecoder decoder = decoders[input[0] & 3];
        MemorySegment stream = MemorySegment.ofArray(input).asSlice(1);
        long pos = 0;
        while (pos < stream.byteSize()) {
            long next = message(decoder, stream, pos);
            if (next < 0) {
                return; // the stream ends here: closed after a fatal rejection, or the rest has not arrived
            }
            assertTrue(next > pos, "the reader must make progress");
            pos = next;
        }
    }

    /** Decodes the message at {@code pos}; returns where the next one starts, or -1 when the stream stops. */
    private long message(HxfrDecoder decoder, MemorySegment stream, long pos) {
        long available = stream.byteSize() - pos;
        if (available < MessageFlyweight.HEADER_LENGTH) {
            assertThrows(IndexOutOfBoundsException.class, () -> header.wrap(stream.asSlice(pos), 0));
            return -1;
        }
        header.wrap(stream.asSlice(pos, MessageFlyweight.HEADER_LENGTH), 0);
        ProtocolLimits limits = decoder.limits();
        int type = header.type();
        long payload = header.payloadSize();
        boolean framed = header.magic() == Hxfr.MAGIC && payload <= limits.maxPayload();
        long end = pos + MessageFlyweight.HEADER_LENGTH + payload;
        int verdict = decoder.checkHeader(header);
        switch (verdict) {
            case HxfrDecoder.REJECT -> {
                checkRejection(decoder, type);
                assertEquals(!framed, decoder.rejection().closeConnection(),
                        () -> "close exactly when framing is lost (bad magic or payload over the limit): " + decoder.rejection());
                return framed ? end : -1;
            }
            case HxfrDecoder.SKIP -> {
                assertTrue(framed, "only a framed message can be skipped");
                assertTrue(!HxfrDecoder.expectsAnswer(type), () -> Hxfr.typeName(type) + " expects an answer but was skipped");
                return end;
            }
            case HxfrDecoder.ACCEPT -> {
                assertTrue(framed, "accepted a message whose framing is lost");
                assertTrue(payload >= HxfrDecoder.fixedBodyLength(type), "accepted a payload shorter than the body");
            }
            default -> fail("verdict " + verdict + " is none of ACCEPT, SKIP, REJECT");
        }
        int body = HxfrDecoder.fixedBodyLength(type);
        if (available < MessageFlyweight.HEADER_LENGTH + body) {
            return -1; // the body has not arrived
        }
        MemorySegment fixed = stream.asSlice(pos, MessageFlyweight.HEADER_LENGTH + body);
        switch (type) {
            case Hxfr.MSG_FRAME_REQUEST -> frameRequest(decoder, fixed);
            case Hxfr.MSG_CONFIG_REQ -> configRequest(decoder, fixed);
            case Hxfr.MSG_ENABLE_SCANOUT -> scanoutId(decoder, type, enableScanout.wrap(fixed, 0).scanoutId());
            case Hxfr.MSG_SUBSCRIBE -> scanoutId(decoder, type, subscribe.wrap(fixed, 0).scanoutId());
            case Hxfr.MSG_DISABLE_SCANOUT, Hxfr.MSG_PING, Hxfr.MSG_KEYFRAME_REQ -> { }
            default -> fail("accepted " + Hxfr.typeName(type) + ", which no one handles");
        }
        return end;
    }

    private void frameRequest(HxfrDecoder decoder, MemorySegment fixed) {
        FrameRequestFlyweight f = frame.wrap(fixed, 0);
        if (decoder.checkFrameRequest(f) == HxfrDecoder.REJECT) {
            checkRejection(decoder, Hxfr.MSG_FRAME_REQUEST);
            assertTrue(!decoder.rejection().closeConnection(), "a bad frame request must not cost the connection");
            return;
        }
        ProtocolLimits limits = decoder.limits();
        long width = f.width();
        long height = f.height();
        assertTrue(width >= 1 && width <= limits.maxDimension() && height >= 1 && height <= limits.maxDimension(),
                () -> "accepted frame size " + width + "x" + height);
        PixelFormat format = PixelFormat.ofFourcc(f.format());
        assertTrue(format == PixelFormat.BGRA8888 || format == PixelFormat.RGBA8888 || format == PixelFormat.NV12,
                () -> "accepted pixel format " + PixelFormat.fourccName(f.format()));
        long stride = f.stride();
        assertTrue(stride >= width * format.bytesPerPixel(), () -> "accepted stride " + stride + " for width " + width);
        // The reader hands width, height and stride to the converter and encoder as ints.
        assertTrue(stride <= Integer.MAX_VALUE, () -> "accepted stride " + stride + ", which does not fit an int");
        long needed = format.frameBytes(stride, height);
        assertTrue(needed > 0 && needed <= limits.maxPayload() - FrameRequestFlyweight.BODY_LENGTH,
                () -> "accepted a frame of " + needed + " bytes, beyond the payload limit");
        if (!f.hasPixelData()) {
            assertTrue(limits.resourceImport() && f.resourceId() != 0, "accepted a frame with neither pixels nor resource");
            assertEquals(FrameRequestFlyweight.BODY_LENGTH, f.payloadSize(), "a frame without pixels has only its body");
            return;
        }
        long tail = f.pixelBytes() - needed;
        assertTrue(tail >= 0, () -> "needs " + needed + " pixel bytes, has " + f.pixelBytes());
        assertEquals(f.payloadSize(), FrameRequestFlyweight.BODY_LENGTH + needed + tail, "payload accounting");
    }

    private void configRequest(HxfrDecoder decoder, MemorySegment fixed) {
        ConfigRequestFlyweight c = config.wrap(fixed, 0);
        if (decoder.checkConfigRequest(c) == HxfrDecoder.REJECT) {
            checkRejection(decoder, Hxfr.MSG_CONFIG_REQ);
            return;
        }
        int max = decoder.limits().maxDimension();
        assertTrue(c.width() <= max && c.height() <= max && (c.width() == 0) == (c.height() == 0),
                () -> "accepted CONFIG_REQ size " + c.width() + "x" + c.height());
        assertTrue(c.framerateNum() == 0 || c.framerateDen() != 0, "accepted a zero framerate_den");
        int profile = c.profile();
        assertTrue(profile == 0 || profile == 66 || profile == 77 || profile == 100, () -> "accepted profile " + profile);
        int level = c.level();
        // x264 refuses any other level_idc when it opens, for every frame after: the decoder must refuse it first.
        assertTrue(level == 0 || level == 9 || (level >= 10 && level <= 13) || (level >= 20 && level <= 62 && level % 10 <= 2),
                () -> "accepted level " + level);
    }

    private void scanoutId(HxfrDecoder decoder, int type, long id) {
        if (decoder.checkScanoutId(type, id) == HxfrDecoder.REJECT) {
            checkRejection(decoder, type);
            return;
        }
        assertTrue(id >= 1 && id <= 15, () -> "accepted scanout_id " + id);
    }

    /**
     * A rejection must make a well-formed ERROR: a protocol error code, and a message in plain ASCII that fits the
     * 256-byte field whole (the fix a message names is at its end; a cut message would lose it).
     */
    private void checkRejection(HxfrDecoder decoder, int type) {
        Rejection r = decoder.rejection();
        assertTrue(r.closeConnection() || HxfrDecoder.expectsAnswer(type),
                () -> "an ERROR for " + Hxfr.typeName(type) + ", which expects no answer, would desynchronise the client: " + r);
        int code = r.errorCode();
        assertTrue(code == ErrorCode.INVALID_MSG || code == ErrorCode.RESOURCE_NOT_FOUND, () -> "error code " + code);
        String message = r.message().toString();
        assertTrue(!message.isEmpty() && message.length() < Hxfr.ERROR_MESSAGE_LEN, () -> "message length " + message.length());
        for (int i = 0; i < message.length(); i++) {
            char ch = message.charAt(i);
            assertTrue(ch >= 0x20 && ch < 0x7F, () -> "message has a non-printable or non-ASCII character: " + message);
        }
        error.wrap(errorBuffer, 0).set(1, code, message);
        assertEquals(Hxfr.MAGIC, error.magic());
        assertEquals(Hxfr.MSG_ERROR, error.type());
        assertEquals(ErrorFlyweight.LENGTH - MessageFlyweight.HEADER_LENGTH, error.payloadSize());
        assertEquals(code, error.errorCode());
        assertEquals(message, error.message());
    }
}

package dev.framebridge.engine;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** HXFR client messages as bytes, built with the protocol's own flyweights, for tests that feed them by hand. */
final class HxfrBytes {
    private HxfrBytes() {
    }

    static byte[] headerOnly(int type, int sessionId) {
        return message(12, m -> new HeaderFlyweight().wrap(m, 0).set(type, 0, sessionId, 0));
    }

    static byte[] ping(int sessionId) {
        return headerOnly(Hxfr.MSG_PING, sessionId);
    }

    /** A message of a type the host skips, with {@code payload} bytes after the header. */
    static byte[] unknown(int type, int payload) {
        byte[] m = message(12 + payload, s -> new HeaderFlyweight().wrap(s, 0).set(type, 0, 1, payload));
        for (int i = 12; i < m.length; i++) {
            m[i] = (byte) (0xA0 + i);
        }
        return m;
    }

    static byte[] configRequest(int sessionId, long bitrate) {
        return message(ConfigRequestFlyweight.LENGTH, m -> new ConfigRequestFlyweight().wrap(m, 0)
                .header(0, sessionId, ConfigRequestFlyweight.BODY_LENGTH).bitrate(bitrate));
    }

    /** FRAME_REQUEST with pixel data: {@code pixels} then {@code tail} padding bytes the host must skip. */
    static byte[] frame(PixelFormat format, int width, int height, int stride, long pts, byte[] pixels, int tail) {
        byte[] fixed = message(FrameRequestFlyweight.LENGTH, m -> new FrameRequestFlyweight().wrap(m, 0)
                .header(Hxfr.FLAG_PIXEL_DATA, 7, FrameRequestFlyweight.BODY_LENGTH + pixels.length + tail)
                .width(width).height(height).format(format.fourcc()).stride(stride).pts(pts).duration(0)
                .forceKeyframe(false));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(fixed);
        out.writeBytes(pixels);
        for (int i = 0; i < tail; i++) {
            out.write(0xEE);
        }
        return out.toByteArray();
    }

    /** Pixels of a frame in {@code format}: every byte differs from its neighbours, and from frame to frame. */
    static byte[] pixels(PixelFormat format, int stride, int height, int seed) {
        byte[] p = new byte[(int) format.frameBytes(stride, height)];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 31 + seed * 17 + (i >> 5));
        }
        return p;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] message(int length, java.util.function.Consumer<MemorySegment> write) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(length);
            write.accept(m);
            return m.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}

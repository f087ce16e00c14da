package dev.framebridge.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HxfrStreamCounterTest {
    private static byte[] message(int type, int session, byte[] payload) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(12);
            new HeaderFlyweight().wrap(h, 0).set(type, 0, session, payload.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(h.toArray(ValueLayout.JAVA_BYTE));
            out.writeBytes(payload);
            return out.toByteArray();
        }
    }

    /** Junk must not spell "HXFR" (that is the magic itself). Payloads that contain the magic must not be counted as messages: the parser skips payload_size bytes. */
    private static byte[] stream() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes("garbage, then the stream".getBytes());
        s.writeBytes(message(Hxfr.MSG_PING, 1, new byte[0]));
        byte[] tricky = new byte[100];
        System.arraycopy(message(Hxfr.MSG_PONG, 9, new byte[0]), 0, tricky, 40, 12); // a header inside a payload
        s.writeBytes(message(Hxfr.MSG_FRAME_REQUEST, 1, tricky));
        s.writeBytes(new byte[] {0x48, 0x58, 0x46}); // a broken magic
        s.writeBytes(message(Hxfr.MSG_FRAME_REQUEST, 1, new byte[5000]));
        s.writeBytes(message(Hxfr.MSG_KEYFRAME_REQ, 1, new byte[0]));
        return s.toByteArray();
    }

    @Test
    void shouldCountMessagesByTypeAndNonHxfrBytesWhateverTheChunking() {
        byte[] bytes = stream();
        for (int chunk : new int[] {1, 2, 7, 12, 13, 4096, bytes.length}) {
            List<String> seen = new ArrayList<>();
            HxfrStreamCounter c = new HxfrStreamCounter((t, f, s, p) -> seen.add(Hxfr.typeName(t) + "/" + p));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment seg = a.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                for (int at = 0; at < bytes.length; at += chunk) {
                    c.accept(seg, at, Math.min(chunk, bytes.length - at));
                }
            }
            assertEquals(4, c.messages(), "chunk " + chunk);
            assertEquals(2, c.messages(Hxfr.MSG_FRAME_REQUEST));
            assertEquals(List.of("PING/0", "FRAME_REQUEST/100", "FRAME_REQUEST/5000", "KEYFRAME_REQ/0"), seen);
            assertEquals("garbage, then the stream".length() + 3, c.nonHxfrBytes(), "chunk " + chunk);
            assertEquals("FRAME_REQUEST 2, KEYFRAME_REQ 1, PING 1", c.breakdown());
        }
    }
}

package dev.framebridge.engine;

import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrLayouts;
import dev.framebridge.protocol.MessageFlyweight;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A fuzz input read as one client's connection: how the engine is laid out, where the client splits its writes,
 * the bytes it sends, and — from HXFR framing alone (PROTOCOL.md), not from the decoder under test — which answers
 * those bytes must or may get.
 *
 * <p>Input layout: byte 0 options (bit 0 hand-off layout instead of inline, bit 1 convert on arrival, bit 2 the
 * client closes abruptly after its last write instead of half-closing and reading every answer, bit 3 it
 * half-closes right after its last write without giving the engine a turn in between, bit 4 it reads nothing
 * until it has written everything, bit 5 the engine's socket has a small send buffer so answers are written in
 * parts); byte 1 the
 * number of chunk sizes (low 4 bits), that many bytes of chunk sizes (n + 1 bytes each, cycled; none: one write);
 * the rest is the byte stream. Every header the stream frames gets a distinct session_id (1, 2, …) written into
 * it, so each answer names the message it answers.
 */
final class ConnectionScript {
    /** An answer the client is owed or may get; {@code required} false means zero or one. */
    record Expected(int sessionId, int type, boolean required, boolean fatal, long pts, long scanoutId) {
        static final long UNKNOWN = Long.MIN_VALUE;
    }

    final boolean handOff;
    final boolean convertOnArrival;
    final boolean abortAtEnd;
    final boolean halfCloseAtOnce;
    final boolean readAtEnd;
    final boolean smallSendBuffer;
    final int[] chunkSizes;
    final byte[] stream;
    final List<Expected> expected = new ArrayList<>();

    private ConnectionScript(byte[] input, long maxPayload) {
        int options = input.length > 0 ? input[0] : 0;
        handOff = (options & 1) != 0;
        convertOnArrival = (options & 2) != 0;
        abortAtEnd = (options & 4) != 0;
        halfCloseAtOnce = (options & 8) != 0;
        readAtEnd = (options & 16) != 0;
        smallSendBuffer = (options & 32) != 0;
        int chunks = input.length > 1 ? input[1] & 15 : 0;
        int start = Math.min(input.length, 2 + chunks);
        chunkSizes = new int[Math.max(0, start - 2)];
        for (int i = 0; i < chunkSizes.length; i++) {
            chunkSizes[i] = (input[2 + i] & 0xFF) + 1;
        }
        stream = java.util.Arrays.copyOfRange(input, start, input.length);
        frame(maxPayload);
    }

    static ConnectionScript of(byte[] input, long maxPayload) {
        return new ConnectionScript(input, maxPayload);
    }

    /** Walks the stream by its headers: stamps session ids and lists what each message is owed. */
    private void frame(long maxPayload) {
        MemorySegment s = MemorySegment.ofArray(stream);
        int sessionId = 0;
        long pos = 0;
        while (stream.length - pos >= MessageFlyweight.HEADER_LENGTH) {
            sessionId++;
            s.set(HxfrLayouts.U16, pos + MessageFlyweight.SESSION_ID_OFFSET, (short) sessionId);
            int type = s.get(HxfrLayouts.U8, pos + MessageFlyweight.TYPE_OFFSET) & 0xFF;
            long payload = s.get(HxfrLayouts.U32, pos + MessageFlyweight.PAYLOAD_SIZE_OFFSET) & 0xFFFF_FFFFL;
            if (s.get(HxfrLayouts.U32, pos) != Hxfr.MAGIC || payload > maxPayload) {
                // Framing is lost: one ERROR, then the host closes.
                expected.add(new Expected(sessionId, type, true, true, Expected.UNKNOWN, Expected.UNKNOWN));
                return;
            }
            long available = stream.length - pos - MessageFlyweight.HEADER_LENGTH;
            boolean complete = available >= payload;
            long pts = type == Hxfr.MSG_FRAME_REQUEST && available >= FrameRequestFlyweight.BODY_LENGTH
                    ? s.get(HxfrLayouts.I64, pos + FrameRequestFlyweight.PTS_OFFSET) : Expected.UNKNOWN;
            long scanout = type == Hxfr.MSG_SUBSCRIBE && available >= 4
                    ? s.get(HxfrLayouts.U32, pos + MessageFlyweight.HEADER_LENGTH) & 0xFFFF_FFFFL : Expected.UNKNOWN;
            if (mustBeAnswered(type)) {
                // A message cut off by the end of the stream may still have been answered (early rejection, PING).
                expected.add(new Expected(sessionId, type, complete, false, pts, scanout));
            } else if (type == Hxfr.MSG_CONFIG_REQ) {
                expected.add(new Expected(sessionId, type, false, false, pts, scanout)); // ERROR if refused, else nothing
            }
            if (!complete) {
                return; // cut off by the end of stream: never a request, so nothing more is owed
            }
            pos += MessageFlyweight.HEADER_LENGTH + payload;
        }
    }

    /** PROTOCOL.md: the client reads exactly one answer to each of these. */
    static boolean mustBeAnswered(int type) {
        return type == Hxfr.MSG_FRAME_REQUEST || type == Hxfr.MSG_PING || type == Hxfr.MSG_ENABLE_SCANOUT
                || type == Hxfr.MSG_SUBSCRIBE;
    }

    /** Writes are {@code chunkSizes} long, cycled; the last one is what is left. */
    int chunkAt(int index, int remaining) {
        if (chunkSizes.length == 0) {
            return remaining;
        }
        return Math.min(remaining, chunkSizes[index % chunkSizes.length]);
    }
}

package dev.framebridge.relay;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.MessageFlyweight;
import java.lang.foreign.MemorySegment;

/**
 * Follows the HXFR framing of one byte stream as it passes through a relay, without holding it up: collects each
 * 12-byte header, counts the message by type, then skips {@code payload_size} bytes. Bytes that do not start a
 * header with the magic are counted as non-HXFR and the parser slides one byte at a time until it finds the magic
 * again, so a stream that is not HXFR (or joins mid-message) is still forwarded and simply counted as such.
 *
 * <p>{@link #accept} allocates nothing: the header is gathered in a 12-byte array and decoded by hand
 * (little-endian, as the wire is).
 */
public final class HxfrStreamCounter {
    /** Receives each header when tracing; called on the relay's thread. */
    public interface HeaderListener {
        void onHeader(int type, int flags, int sessionId, long payloadSize);
    }

    private final byte[] header = new byte[MessageFlyweight.HEADER_LENGTH];
    private final long[] byType = new long[256];
    private final HeaderListener listener;
    private int filled;
    private long payloadLeft;
    private long messages;
    private long requests;
    private int lastRequestType;
    private long nonHxfrBytes;

    public HxfrStreamCounter(HeaderListener listener) {
        this.listener = listener;
    }

    /** Feeds {@code length} bytes of {@code bytes} from {@code offset}, in stream order. */
    public void accept(MemorySegment bytes, long offset, long length) {
        long at = offset;
        long end = offset + length;
        while (at < end) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, end - at);
                payloadLeft -= skip;
                at += skip;
                continue;
            }
            header[filled++] = bytes.get(JAVA_BYTE, at++);
            if (filled == header.length) {
                onHeaderBytes();
            } else if (filled <= 4 && header[filled - 1] != magicByte(filled - 1)) {
                slide(); // cheap early exit: the magic is already broken
            }
        }
    }

    private void onHeaderBytes() {
        if (u32(0) != Hxfr.MAGIC) {
            slide();
            return;
        }
        int type = header[4] & 0xFF;
        int flags = header[5] & 0xFF;
        int session = (header[6] & 0xFF) | (header[7] & 0xFF) << 8;
        long payload = u32(8) & 0xFFFF_FFFFL;
        messages++;
        byType[type]++;
        if (expectsAnswer(type)) {
            requests++;
            lastRequestType = type;
        }
        payloadLeft = payload;
        filled = 0;
        if (listener != null) {
            listener.onHeader(type, flags, session, payload);
        }
    }

    /** Drops the first gathered byte as non-HXFR and rechecks the rest for the start of a magic. */
    private void slide() {
        nonHxfrBytes++;
        System.arraycopy(header, 1, header, 0, filled - 1);
        filled--;
        // the shifted bytes may themselves fail the magic: keep dropping until they could still begin one
        int i = 0;
        while (i < Math.min(filled, 4)) {
            if (header[i] != magicByte(i)) {
                nonHxfrBytes++;
                System.arraycopy(header, 1, header, 0, filled - 1);
                filled--;
                i = 0;
            } else {
                i++;
            }
        }
    }

    /**
     * Messages a host must answer (PROTOCOL.md): FRAME_REQUEST, PING, ENABLE_SCANOUT and SUBSCRIBE. CONFIG_REQ,
     * KEYFRAME_REQ and DISABLE_SCANOUT may go unanswered, so they start no wait.
     */
    static boolean expectsAnswer(int type) {
        return type == Hxfr.MSG_FRAME_REQUEST || type == Hxfr.MSG_PING || type == Hxfr.MSG_ENABLE_SCANOUT
                || type == Hxfr.MSG_SUBSCRIBE;
    }

    private static byte magicByte(int i) {
        return (byte) (Hxfr.MAGIC >>> (8 * i));
    }

    private int u32(int at) {
        return (header[at] & 0xFF) | (header[at + 1] & 0xFF) << 8 | (header[at + 2] & 0xFF) << 16
                | (header[at + 3] & 0xFF) << 24;
    }

    /** Whole headers seen (the message's payload may still be on its way). */
    public long messages() {
        return messages;
    }

    public long messages(int type) {
        return byType[type & 0xFF];
    }

    /** Headers seen of messages that must be answered ({@link #expectsAnswer}). */
    public long requests() {
        return requests;
    }

    /** The type of the last such request, for the relay's "PING forwarded 3.0 s ago". */
    public int lastRequestType() {
        return lastRequestType;
    }

    /** Bytes that were not part of any HXFR message. */
    public long nonHxfrBytes() {
        return nonHxfrBytes;
    }

    /** "FRAME_REQUEST 60, PING 1" (or "none"), for reports. */
    public String breakdown() {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < byType.length; t++) {
            if (byType[t] > 0) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(Hxfr.typeName(t)).append(' ').append(byType[t]);
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}

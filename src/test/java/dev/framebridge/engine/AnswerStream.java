package dev.framebridge.engine;

import dev.framebridge.client.AccessUnitCheck;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrLayouts;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.ScanoutResponseFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a host sent on one connection, cut into HXFR messages and checked as vsockenc would read them: every
 * message well-formed (magic, a type a host sends, payload_size exact for its type; a FRAME_RESPONSE's entries
 * adding up to its payload and holding an Annex-B access unit; an ERROR's code known and its message NUL-terminated
 * UTF-8), then matched in order against what the client was owed ({@link ConnectionScript.Expected}).
 * {@link #problem} is null when all is well, else a sentence saying what is wrong.
 */
final class AnswerStream {
    /** One message the host sent: its type, the session_id it names, and what matching needs of its body. */
    record Answer(int type, int sessionId, long pts, long scanoutId, long offset) {
    }

    private final List<Answer> answers = new ArrayList<>();
    private String problem;
    /** The host's bytes end inside a message (header or payload): what is wrong with the last one, else null. */
    private String cutTail;

    private AnswerStream(byte[] bytes) {
        problem = parse(bytes);
    }

    static AnswerStream parse(byte[] bytes, int length) {
        return new AnswerStream(java.util.Arrays.copyOf(bytes, length));
    }

    List<Answer> answers() {
        return answers;
    }

    /**
     * Null when every message is well-formed and the answers are exactly those owed, in order.
     *
     * @param droppableAtEnd how many owed answers may be missing, all at the end with nothing after them (the
     *                       requests in flight when the engine closed the connection); 0 for the strict rule
     */
    String problem(List<ConnectionScript.Expected> expected, int droppableAtEnd) {
        if (problem != null) {
            return problem;
        }
        if (cutTail != null && droppableAtEnd == 0) {
            return cutTail; // tolerated otherwise: the cut answer counts as one of those dropped at the end
        }
        int next = 0;
        int dropped = 0;
        for (ConnectionScript.Expected e : expected) {
            if (next < answers.size() && answers(answers.get(next), e)) {
                next++;
            } else if (e.required() && next == answers.size() && dropped < droppableAtEnd) {
                dropped++;
            } else if (e.required()) {
                return "message " + e.sessionId() + " (" + Hxfr.typeName(e.type()) + ") got no answer"
                        + (next < answers.size() ? "; the next answer is " + describe(answers.get(next)) : "; nothing more came");
            }
            if (e.fatal()) {
                break;
            }
        }
        if (next < answers.size()) {
            return "unexpected " + describe(answers.get(next)) + " (answers " + next + ".." + (answers.size() - 1)
                    + " of " + answers.size() + " match no message; owed: " + expected + ")";
        }
        return null;
    }

    private static boolean answers(Answer a, ConnectionScript.Expected e) {
        if (a.type() == Hxfr.MSG_ERROR) {
            return a.sessionId() == e.sessionId();
        }
        if (e.fatal()) {
            return false;
        }
        return switch (e.type()) {
            case Hxfr.MSG_FRAME_REQUEST -> a.type() == Hxfr.MSG_FRAME_RESPONSE && a.sessionId() == e.sessionId()
                    && a.pts() == e.pts();
            case Hxfr.MSG_PING -> a.type() == Hxfr.MSG_PONG && a.sessionId() == e.sessionId();
            case Hxfr.MSG_ENABLE_SCANOUT -> a.type() == Hxfr.MSG_SCANOUT_RESP && a.sessionId() == e.sessionId();
            case Hxfr.MSG_SUBSCRIBE -> a.type() == Hxfr.MSG_SUBSCRIBE_RESP && a.scanoutId() == e.scanoutId()
                    && a.sessionId() == (int) (e.scanoutId() & 0xFFFF);
            default -> false;
        };
    }

    private static String describe(Answer a) {
        return Hxfr.typeName(a.type()) + " naming session " + a.sessionId()
                + (a.type() == Hxfr.MSG_FRAME_RESPONSE ? " with pts " + a.pts() : "") + " at byte " + a.offset();
    }

    private String parse(byte[] bytes) {
        MemorySegment all = MemorySegment.ofArray(bytes);
        HeaderFlyweight header = new HeaderFlyweight();
        long pos = 0;
        while (pos < bytes.length) {
            if (bytes.length - pos < MessageFlyweight.HEADER_LENGTH) {
                cutTail = "the host's bytes end " + (bytes.length - pos) + " bytes into a header at byte " + pos;
                return null;
            }
            header.wrap(all, pos);
            if (header.magic() != Hxfr.MAGIC) {
                return String.format("bad magic 0x%08x in the host's message at byte %d", header.magic(), pos);
            }
            long payload = header.payloadSize();
            if (bytes.length - pos - MessageFlyweight.HEADER_LENGTH < payload) {
                cutTail = Hxfr.typeName(header.type()) + " at byte " + pos + " declares " + payload + " bytes, "
                        + (bytes.length - pos - MessageFlyweight.HEADER_LENGTH) + " came";
                return null;
            }
            MemorySegment message = all.asSlice(pos, MessageFlyweight.HEADER_LENGTH + payload);
            String wrong = check(header.type(), message, pos);
            if (wrong != null) {
                return Hxfr.typeName(header.type()) + " at byte " + pos + ": " + wrong;
            }
            pos += message.byteSize();
        }
        return null;
    }

    private String check(int type, MemorySegment m, long offset) {
        long payload = m.byteSize() - MessageFlyweight.HEADER_LENGTH;
        int sessionId = new HeaderFlyweight().wrap(m, 0).sessionId();
        switch (type) {
            case Hxfr.MSG_PONG -> {
                if (payload != 0) {
                    return "payload_size " + payload + ", expected 0";
                }
                answers.add(new Answer(type, sessionId, 0, 0, offset));
            }
            case Hxfr.MSG_ERROR -> {
                if (m.byteSize() != ErrorFlyweight.LENGTH) {
                    return "payload_size " + payload + ", expected 260";
                }
                ErrorFlyweight e = new ErrorFlyweight().wrap(m, 0);
                int code = e.errorCode();
                if (code == ErrorCode.OK || ErrorCode.name(code).startsWith("UNKNOWN")) {
                    return "error code " + code + " is not an HXFR error";
                }
                String text = cString(m, ErrorFlyweight.MESSAGE_OFFSET, Hxfr.ERROR_MESSAGE_LEN);
                if (text == null || text.isEmpty()) {
                    return "message not a NUL-terminated, NUL-padded, non-empty UTF-8 string";
                }
                answers.add(new Answer(type, sessionId, 0, 0, offset));
            }
            case Hxfr.MSG_SCANOUT_RESP -> {
                if (m.byteSize() != ScanoutResponseFlyweight.LENGTH) {
                    return "payload_size " + payload + ", expected " + (ScanoutResponseFlyweight.LENGTH - 12);
                }
                if (cString(m, ScanoutResponseFlyweight.CONNECTOR_NAME_OFFSET, Hxfr.CONNECTOR_NAME_LEN) == null) {
                    return "connector name not a NUL-terminated UTF-8 string";
                }
                answers.add(new Answer(type, sessionId, 0, new ScanoutResponseFlyweight().wrap(m, 0).scanoutId(), offset));
            }
            case Hxfr.MSG_SUBSCRIBE_RESP -> {
                if (m.byteSize() != SubscribeResponseFlyweight.LENGTH) {
                    return "payload_size " + payload + ", expected " + (SubscribeResponseFlyweight.LENGTH - 12);
                }
                answers.add(new Answer(type, sessionId, 0, new SubscribeResponseFlyweight().wrap(m, 0).scanoutId(), offset));
            }
            case Hxfr.MSG_FRAME_RESPONSE -> {
                String wrong = frameResponse(m);
                if (wrong != null) {
                    return wrong;
                }
                answers.add(new Answer(type, sessionId, new FrameResponseFlyweight().wrap(m, 0).pts(), 0, offset));
            }
            default -> {
                return "not a message a host sends in answer";
            }
        }
        return null;
    }

    /** Entries (u32 size + Annex-B bytes) that fill the payload exactly and make one access unit. */
    private static String frameResponse(MemorySegment m) {
        if (m.byteSize() < FrameResponseFlyweight.LENGTH) {
            return "payload_size " + (m.byteSize() - 12) + " < 24";
        }
        FrameResponseFlyweight r = new FrameResponseFlyweight().wrap(m, 0);
        long count = r.nalCount();
        if (count < 1) {
            return "nal_count 0";
        }
        long pos = FrameResponseFlyweight.LENGTH;
        java.io.ByteArrayOutputStream unit = new java.io.ByteArrayOutputStream();
        for (long i = 0; i < count; i++) {
            if (m.byteSize() - pos < FrameResponseFlyweight.NAL_ENTRY_HEADER_LENGTH) {
                return "entry " + i + " of " + count + " runs past payload_size";
            }
            long size = m.get(HxfrLayouts.U32, pos) & 0xFFFF_FFFFL;
            pos += FrameResponseFlyweight.NAL_ENTRY_HEADER_LENGTH;
            if (m.byteSize() - pos < size) {
                return "entry " + i + " of " + count + " (" + size + " bytes) runs past payload_size";
            }
            unit.writeBytes(m.asSlice(pos, size).toArray(ValueLayout.JAVA_BYTE));
            pos += size;
        }
        if (pos != m.byteSize()) {
            return (m.byteSize() - pos) + " bytes after the last entry: payload_size is not 24 + the entries";
        }
        return AccessUnitCheck.problem(MemorySegment.ofArray(unit.toByteArray()), r.isKeyframe());
    }

    /** The string in a NUL-terminated, NUL-padded UTF-8 field; null when it is none. */
    private static String cString(MemorySegment m, long offset, int capacity) {
        byte[] field = m.asSlice(offset, capacity).toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < capacity && field[end] != 0) {
            end++;
        }
        if (end == capacity) {
            return null;
        }
        for (int i = end; i < capacity; i++) {
            if (field[i] != 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(field, 0, end)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

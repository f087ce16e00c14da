package dev.framebridge.engine;

import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.Hxfr;

/**
 * {@link RequestReader}'s question to the frame memory limits: may this frame come in (sized when its fixed part
 * is read), and how far may its pixels be received now (asked before each read). A refusal is written into the
 * slot as the request's ERROR, naming the limit and the option that raises it, so the reader answers it in order
 * like any other rejection and skips the rest of the frame; the session goes on.
 *
 * <p>Codes: a frame larger than the connection's own limit can never be taken, like a payload over
 * {@code --max-payload}: INVALID_MSG. The engine-wide limit depends on what the other connections hold, so it
 * may pass later: INTERNAL, like "server full". I/O agent thread only; allocation-free unless it refuses.
 */
final class FrameMemoryGate {
    static final String CONNECTION_OPTION = "--max-frame-memory-per-connection";
    static final String TOTAL_OPTION = "--max-frame-memory";

    private final FrameRequestFlyweight frame = new FrameRequestFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final StringBuilder message = new StringBuilder(Hxfr.ERROR_MESSAGE_LEN);
    private int verdict;

    /**
     * Readies {@code slot} for the accepted FRAME_REQUEST {@code f} ({@code needed} pixel bytes, converted as they
     * arrive when {@code convert} and the format is RGB). @return false when refused: the ERROR is in the slot
     */
    boolean admit(FrameSlot slot, FrameRequestFlyweight f, PixelFormat format, long needed, boolean convert) {
        long convertedBytes = 0;
        long chromaOffset = 0;
        long planeStride = 0;
        if (convert && RgbToNv12.converts(format)) {
            int width = (int) f.width();
            int height = (int) f.height();
            convertedBytes = RgbToNv12.bytes(width, height);
            chromaOffset = RgbToNv12.chromaOffset(width, height);
            planeStride = RgbToNv12.planeStride(width);
        }
        int v = slot.prepareFrame(needed, f.stride(), f.height(), convertedBytes, chromaOffset, planeStride);
        if (v == ConnectionMemory.GRANTED) {
            return true;
        }
        refuse(slot, f.sessionId(), v, slot.frameNeeds(), false);
        return false;
    }

    /**
     * How far the pixels of the frame in {@code slot} may be received now. @return an end beyond {@code position},
     * or -1 when the engine's limit refused the next part: the ERROR is in the slot and its memory is released
     */
    long receivable(FrameSlot slot, long position, long target) {
        long end = slot.receivable(position, target);
        if (end >= 0) {
            return end;
        }
        refuse(slot, frame.wrap(slot.request(), 0).sessionId(), (int) -end, 0, true);
        slot.releaseMemory(); // the part received so far is dropped with the frame: give it back now
        return -1;
    }

    /** The last refusal's text (valid until the next refusal). */
    CharSequence message() {
        return message;
    }

    /** The limit behind the last refusal, as one fixed line for the distinct-error log (counted, not repeated). */
    String limitReached() {
        return switch (verdict) {
            case ConnectionMemory.OVER_CONNECTION_LIMIT -> "frame refused: over the per-connection frame memory limit ("
                    + CONNECTION_OPTION + ")";
            case ConnectionMemory.OVER_TOTAL_LIMIT -> "frame refused: the frame memory limit of all connections was reached ("
                    + TOTAL_OPTION + ")";
            default -> "frame refused: frame memory could not be mapped (the host is short of memory or address space)";
        };
    }

    private void refuse(FrameSlot slot, int sessionId, int v, long needs, boolean midFrame) {
        verdict = v;
        ConnectionMemory memory = slot.owner();
        message.setLength(0);
        int code;
        switch (v) {
            case ConnectionMemory.OVER_CONNECTION_LIMIT -> {
                code = ErrorCode.INVALID_MSG;
                message.append("frame needs ");
                mib(needs).append(" more frame memory; this connection holds ");
                mib(memory.used()).append(" of its ");
                mib(memory.limit()).append(" limit (").append(CONNECTION_OPTION)
                        .append("): send smaller frames or raise it");
            }
            case ConnectionMemory.OVER_TOTAL_LIMIT -> {
                code = ErrorCode.INTERNAL;
                message.append("frame memory limit of all connections reached");
                if (midFrame) {
                    message.append(" while the frame arrived");
                } else {
                    message.append(": frame needs ");
                    mib(needs).append(" more");
                }
                message.append("; they hold ");
                mib(memory.total().used()).append(" of ");
                mib(memory.total().limit()).append(" (").append(TOTAL_OPTION).append("); try again later or raise it");
            }
            default -> {
                code = ErrorCode.INTERNAL;
                message.append("cannot map ");
                mib(needs).append(" of frame memory: ").append(LibC.strerror(slot.mapErrno()))
                        .append("; the host is short of memory or address space");
            }
        }
        slot.resetAnswer();
        error.wrap(slot.answer(), 0).set(sessionId, code, message);
        slot.answerLength = ErrorFlyweight.LENGTH;
    }

    /** Appends bytes as MiB with one decimal (e.g. 87.9 MiB). */
    private StringBuilder mib(long bytes) {
        long tenths = (bytes * 10 + (1 << 19)) >> 20;
        return message.append(tenths / 10).append('.').append(tenths % 10).append(" MiB");
    }
}

package dev.framebridge.protocol;

import static dev.framebridge.protocol.HxfrLayouts.ERROR;
import static dev.framebridge.protocol.HxfrLayouts.offsetOf;

/**
 * ERROR, host → client: always 272 bytes (payload_size 260), whatever the message length.
 * <pre>
 *  0 +--------------------------- header (12) ---------------------------+
 * 12 |                       error_code (i32)                            |
 * 16 |        message (256, UTF-8, NUL-terminated, NUL-padded)           |
 *272 +-------------------------------------------------------------------+
 * </pre>
 */
public final class ErrorFlyweight extends MessageFlyweight<ErrorFlyweight> {
    public static final long ERROR_CODE_OFFSET = offsetOf(ERROR, "error_code");
    public static final long MESSAGE_OFFSET = offsetOf(ERROR, "message");
    public static final int LENGTH = (int) ERROR.byteSize();

    public ErrorFlyweight() {
        super(Hxfr.MSG_ERROR, ERROR);
    }

    public int errorCode() {
        return u32(ERROR_CODE_OFFSET);
    }

    public ErrorFlyweight errorCode(int code) {
        u32(ERROR_CODE_OFFSET, code);
        return this;
    }

    public String message() {
        return CString.read(segment, offset + MESSAGE_OFFSET, Hxfr.ERROR_MESSAGE_LEN);
    }

    /** Writes the message NUL-terminated and NUL-padded, truncated to 255 bytes without splitting a character. */
    public ErrorFlyweight message(CharSequence text) {
        CString.write(segment, offset + MESSAGE_OFFSET, Hxfr.ERROR_MESSAGE_LEN, text);
        return this;
    }

    /** Writes a complete ERROR message: header, code and message. */
    public ErrorFlyweight set(int sessionId, int code, CharSequence text) {
        header(0, sessionId);
        return errorCode(code).message(text);
    }
}

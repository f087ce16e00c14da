package dev.framebridge.protocol;

/**
 * Why the decoder refused a message: the protocol error code for the ERROR answer, a message a human can
 * act on, and whether the stream can continue. Reused: one per decoder, overwritten by the next rejection.
 */
public final class Rejection {
    private final StringBuilder message = new StringBuilder(Hxfr.ERROR_MESSAGE_LEN);
    private int errorCode;
    private boolean closeConnection;

    Rejection set(int errorCode, boolean closeConnection) {
        this.errorCode = errorCode;
        this.closeConnection = closeConnection;
        message.setLength(0);
        return this;
    }

    StringBuilder text() {
        return message;
    }

    public int errorCode() {
        return errorCode;
    }

    /** True when framing is lost (bad magic, oversize payload): answer, then close the connection. */
    public boolean closeConnection() {
        return closeConnection;
    }

    /** The message, without copying (for writing into an ERROR flyweight). */
    public CharSequence message() {
        return message;
    }

    @Override
    public String toString() {
        return ErrorCode.name(errorCode) + ": " + message;
    }
}

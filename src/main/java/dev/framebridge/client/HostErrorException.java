package dev.framebridge.client;

import dev.framebridge.protocol.ErrorCode;
import java.io.IOException;

/** The host answered a request with ERROR: its code ({@link ErrorCode}) and its message, which names the cause. */
public final class HostErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errorCode;
    private final String hostMessage;

    public HostErrorException(String request, int errorCode, String hostMessage) {
        super(request + " refused: " + ErrorCode.name(errorCode) + ": " + hostMessage);
        this.errorCode = errorCode;
        this.hostMessage = hostMessage;
    }

    /** The ERROR's {@code error_code}. */
    public int errorCode() {
        return errorCode;
    }

    /** The ERROR's message, as the host wrote it. */
    public String hostMessage() {
        return hostMessage;
    }
}

package dev.framebridge.client;

import dev.framebridge.protocol.ErrorCode;
import java.io.IOException;

/** The host answered a request with ERROR: its code ({@link ErrorCode}) and its message, which names the cause. */
public class HostErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errorCode;
    private final String hostMessage;

    public HostErrorException(String request, int errorCode, String hostMessage) {
        this(request + " refused: " + ErrorCode.name(errorCode) + ": " + hostMessage, errorCode, hostMessage, null);
    }

    HostErrorException(String message, int errorCode, String hostMessage, Throwable cause) {
        super(message, cause);
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

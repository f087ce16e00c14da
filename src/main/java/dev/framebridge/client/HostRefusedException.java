package dev.framebridge.client;

import dev.framebridge.protocol.ErrorCode;
import java.io.IOException;

/**
 * The host closed the connection and left an HXFR ERROR saying why (a vsock CID outside its allow-list, a full
 * server): what a send that failed with EPIPE or ECONNRESET turns into when the ERROR is there to read.
 */
public final class HostRefusedException extends HostErrorException {
    private static final long serialVersionUID = 1L;

    public HostRefusedException(int errorCode, String hostMessage, IOException cause) {
        super("the host refused the connection with ERROR " + errorCode + " " + ErrorCode.name(errorCode) + ": \""
                + hostMessage + "\"", errorCode, hostMessage, cause);
    }
}

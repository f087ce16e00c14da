package dev.framebridge.client;

import java.io.IOException;

/**
 * The peer closed the connection while the client waited for an answer: a distinct type so tools (probe) can
 * tell "hung up" from "silent" and "not HXFR" without parsing messages.
 */
public final class PeerClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public PeerClosedException(String message) {
        super(message);
    }
}

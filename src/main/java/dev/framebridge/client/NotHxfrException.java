package dev.framebridge.client;

import java.io.IOException;

/** The answer did not start with the HXFR magic: the peer speaks something else (or the stream is out of step). */
public final class NotHxfrException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotHxfrException(String message) {
        super(message);
    }
}

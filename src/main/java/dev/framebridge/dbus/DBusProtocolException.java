package dev.framebridge.dbus;

import java.io.IOException;

/** The peer sent bytes that are not a D-Bus message this client can read. */
public final class DBusProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public DBusProtocolException(String message) {
        super(message);
    }
}

package dev.framebridge.dbus;

import java.io.IOException;

/** A method call answered with a D-Bus ERROR message. */
public final class DBusErrorException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String errorName;

    public DBusErrorException(String call, String errorName, String text) {
        super(call + " failed: " + errorName + (text == null || text.isEmpty() ? "" : ": " + text));
        this.errorName = errorName;
    }

    public String errorName() {
        return errorName;
    }
}

package dev.framebridge.dbus;

import java.io.IOException;

/** The D-Bus peer hung up (QEMU quit, or closed the connection). */
public final class DBusPeerClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public DBusPeerClosedException(String message) {
        super(message);
    }
}

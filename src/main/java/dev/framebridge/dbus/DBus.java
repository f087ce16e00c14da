package dev.framebridge.dbus;

/** D-Bus wire constants (the specification's "Message Format" section). */
public final class DBus {
    public static final int PROTOCOL_VERSION = 1;

    public static final int METHOD_CALL = 1;
    public static final int METHOD_RETURN = 2;
    public static final int ERROR = 3;
    public static final int SIGNAL = 4;

    public static final int FLAG_NO_REPLY_EXPECTED = 0x1;
    public static final int FLAG_NO_AUTO_START = 0x2;

    public static final int FIELD_PATH = 1;
    public static final int FIELD_INTERFACE = 2;
    public static final int FIELD_MEMBER = 3;
    public static final int FIELD_ERROR_NAME = 4;
    public static final int FIELD_REPLY_SERIAL = 5;
    public static final int FIELD_DESTINATION = 6;
    public static final int FIELD_SENDER = 7;
    public static final int FIELD_SIGNATURE = 8;
    public static final int FIELD_UNIX_FDS = 9;

    /** The specification's limit on one message (128 MiB). */
    public static final long MAX_MESSAGE = 1L << 27;

    public static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    public static final String PEER = "org.freedesktop.DBus.Peer";
    public static final String UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod";

    private DBus() {
    }
}

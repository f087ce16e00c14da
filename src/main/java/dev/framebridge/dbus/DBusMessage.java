package dev.framebridge.dbus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * One received message, parsed in place: the header's values, string fields kept as offsets into the receive
 * buffer (compared with {@link #memberIs} without allocating), the body read through {@link #body()}. Valid until
 * the connection receives the next message, which reuses the buffer.
 */
public final class DBusMessage {
    private final DBusReader reader = new DBusReader();
    private final DBusReader bodyReader = new DBusReader();
    private MemorySegment bytes = MemorySegment.NULL;
    private int type;
    private int flags;
    private int serial;
    private int replySerial;
    private int unixFds;
    private long bodyStart;
    private long length;
    private long pathAt = -1;
    private long interfaceAt = -1;
    private long memberAt = -1;
    private long errorNameAt = -1;
    private long signatureAt = -1;
    private long senderAt = -1;
    private int[] fds = new int[0];
    private int fdCount;

    /** The fixed part of every header: endianness, type, flags, version, body length, serial, fields length. */
    public static final int FIXED_HEADER = 16;

    /** Total length of the message whose first 16 bytes are given, checked against {@link DBus#MAX_MESSAGE}. */
    public static long totalLength(MemorySegment first16) throws DBusProtocolException {
        int endian = first16.get(ValueLayout.JAVA_BYTE, 0);
        if (endian != 'l') {
            throw new DBusProtocolException(endian == 'B'
                    ? "the peer sent a big-endian message; this client reads little-endian ones only"
                    : "not a D-Bus message (first byte 0x" + Integer.toHexString(endian & 0xFF) + ")");
        }
        int version = first16.get(ValueLayout.JAVA_BYTE, 3);
        if (version != DBus.PROTOCOL_VERSION) {
            throw new DBusProtocolException("D-Bus protocol version " + version + " (expected 1)");
        }
        long body = Integer.toUnsignedLong(first16.get(DBusWriter.U32, 4));
        long fields = Integer.toUnsignedLong(first16.get(DBusWriter.U32, 12));
        long total = (FIXED_HEADER + fields + 7) / 8 * 8 + body;
        if (total > DBus.MAX_MESSAGE) {
            throw new DBusProtocolException("a D-Bus message of " + total + " bytes is over the protocol's limit of "
                    + DBus.MAX_MESSAGE);
        }
        return total;
    }

    /** Parses the header of the message in {@code message[0, length)}. */
    public DBusMessage parse(MemorySegment message, long length) throws DBusProtocolException {
        this.bytes = message;
        this.length = length;
        pathAt = interfaceAt = memberAt = errorNameAt = signatureAt = senderAt = -1;
        replySerial = 0;
        unixFds = 0;
        fdCount = 0;
        type = message.get(ValueLayout.JAVA_BYTE, 1);
        flags = message.get(ValueLayout.JAVA_BYTE, 2);
        reader.wrap(message, 8, length);
        serial = reader.readUint32();
        long fieldsEnd = reader.readArrayEnd(8);
        while (reader.position() < fieldsEnd) {
            reader.align(8);
            int code = reader.readByte();
            long sigAt = reader.skipSignature();
            int sigLength = message.get(ValueLayout.JAVA_BYTE, sigAt - 1);
            if (sigLength != 1) {
                throw new DBusProtocolException("header field " + code + " has a non-basic type");
            }
            int typeCode = message.get(ValueLayout.JAVA_BYTE, sigAt);
            switch (code) {
                case DBus.FIELD_PATH -> pathAt = stringField(code, typeCode, 'o');
                case DBus.FIELD_INTERFACE -> interfaceAt = stringField(code, typeCode, 's');
                case DBus.FIELD_MEMBER -> memberAt = stringField(code, typeCode, 's');
                case DBus.FIELD_ERROR_NAME -> errorNameAt = stringField(code, typeCode, 's');
                case DBus.FIELD_SENDER -> senderAt = stringField(code, typeCode, 's');
                case DBus.FIELD_REPLY_SERIAL -> replySerial = uintField(code, typeCode);
                case DBus.FIELD_UNIX_FDS -> unixFds = uintField(code, typeCode);
                case DBus.FIELD_SIGNATURE -> {
                    if (typeCode != 'g') {
                        throw new DBusProtocolException("the SIGNATURE header field must be a signature");
                    }
                    signatureAt = reader.skipSignature();
                }
                default -> reader.skipBasic(typeCode); // DESTINATION and fields from later specifications
            }
        }
        bodyStart = (fieldsEnd + 7) / 8 * 8;
        return this;
    }

    private long stringField(int code, int typeCode, int expected) throws DBusProtocolException {
        if (typeCode != expected) {
            throw new DBusProtocolException("header field " + code + " must be of type '" + (char) expected + "'");
        }
        return reader.skipString();
    }

    private int uintField(int code, int typeCode) throws DBusProtocolException {
        if (typeCode != 'u') {
            throw new DBusProtocolException("header field " + code + " must be of type 'u'");
        }
        return reader.readUint32();
    }

    /** Attaches the fds that arrived with this message (the connection's job). */
    void attachFds(int[] source, int count) {
        if (fds.length < count) {
            fds = new int[count];
        }
        System.arraycopy(source, 0, fds, 0, count);
        fdCount = count;
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean expectsReply() {
        return type == DBus.METHOD_CALL && (flags & DBus.FLAG_NO_REPLY_EXPECTED) == 0;
    }

    public int serial() {
        return serial;
    }

    public int replySerial() {
        return replySerial;
    }

    public int unixFds() {
        return unixFds;
    }

    public long length() {
        return length;
    }

    /** The body from its start; a fresh read every call. */
    public DBusReader body() {
        return bodyReader.wrap(bytes, bodyStart, length);
    }

    /**
     * Takes ownership of the {@code index}-th fd that came with this message; the connection closes the ones
     * nobody took when the next message arrives. -1 when there is no such fd.
     */
    public int takeFd(int index) {
        if (index < 0 || index >= fdCount || fds[index] < 0) {
            return -1;
        }
        int fd = fds[index];
        fds[index] = -1;
        return fd;
    }

    int fdCount() {
        return fdCount;
    }

    int fdAt(int index) {
        return fds[index];
    }

    public boolean memberIs(byte[] name) {
        return stringEquals(memberAt, name);
    }

    public boolean interfaceIs(byte[] name) {
        return stringEquals(interfaceAt, name);
    }

    public boolean signatureIs(byte[] signature) {
        if (signatureAt < 0) {
            return signature.length == 0;
        }
        int len = bytes.get(ValueLayout.JAVA_BYTE, signatureAt - 1) & 0xFF;
        return len == signature.length && bytesEqual(signatureAt, signature);
    }

    public String path() {
        return string(pathAt);
    }

    public String iface() {
        return string(interfaceAt);
    }

    public String member() {
        return string(memberAt);
    }

    public String errorName() {
        return string(errorNameAt);
    }

    public String sender() {
        return string(senderAt);
    }

    public String signature() {
        if (signatureAt < 0) {
            return "";
        }
        int len = bytes.get(ValueLayout.JAVA_BYTE, signatureAt - 1) & 0xFF;
        return new String(bytes.asSlice(signatureAt, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** The error text of an ERROR message whose body starts with a string, else "". */
    public String errorText() {
        if (type != DBus.ERROR || signatureAt < 0 || bytes.get(ValueLayout.JAVA_BYTE, signatureAt) != 's') {
            return "";
        }
        try {
            return body().readString();
        } catch (DBusProtocolException e) {
            return "";
        }
    }

    private String string(long at) {
        if (at < 0) {
            return null;
        }
        int len = bytes.get(DBusWriter.U32, at - 4);
        return new String(bytes.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private boolean stringEquals(long at, byte[] name) {
        return at >= 0 && bytes.get(DBusWriter.U32, at - 4) == name.length && bytesEqual(at, name);
    }

    private boolean bytesEqual(long at, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, at + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        String kind = switch (type) {
            case DBus.METHOD_CALL -> "call";
            case DBus.METHOD_RETURN -> "return";
            case DBus.ERROR -> "error";
            case DBus.SIGNAL -> "signal";
            default -> "type " + type;
        };
        return "D-Bus " + kind + " #" + Integer.toUnsignedString(serial)
                + (pathAt >= 0 ? " " + path() : "") + (interfaceAt >= 0 ? " " + iface() : "")
                + (memberAt >= 0 ? "." + member() : "") + (errorNameAt >= 0 ? " " + errorName() : "")
                + (replySerial != 0 ? " reply to #" + Integer.toUnsignedString(replySerial) : "")
                + " (" + signature() + ", " + length + " bytes" + (unixFds != 0 ? ", " + unixFds + " fds" : "") + ")";
    }
}

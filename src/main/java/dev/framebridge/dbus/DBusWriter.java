package dev.framebridge.dbus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Marshals one D-Bus message (little-endian, protocol version 1) into an off-heap buffer: the header with its
 * fields, then the body the caller writes, then {@link #finish()} patches the body length in. Alignment is counted
 * from the message start; the header ends padded to 8, so body alignment is the same counted from either.
 * Only the types this project sends exist here (y b u i t s o g h, arrays, structs, variants of basic types).
 * One writer per thread; reused message after message.
 */
public final class DBusWriter {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment buffer;
    private long position;
    private long bodyStart = -1;

    public DBusWriter(int capacity) {
        this.buffer = Arena.ofAuto().allocate(capacity, 8);
    }

    /** A method call; {@code destination} is null on a peer-to-peer link, {@code signature} null for no body. */
    public DBusWriter methodCall(int serial, int flags, String destination, String path, String iface, String member,
                                 String signature, int unixFds) {
        return header(DBus.METHOD_CALL, flags, serial, path, iface, member, null, 0, destination, signature, unixFds);
    }

    /** The answer to the method call numbered {@code replySerial}. */
    public DBusWriter methodReturn(int serial, int replySerial, String destination, String signature) {
        return header(DBus.METHOD_RETURN, DBus.FLAG_NO_REPLY_EXPECTED, serial, null, null, null, null, replySerial,
                destination, signature, 0);
    }

    /** An error answer with its message as the body (signature {@code s}). */
    public DBusWriter error(int serial, int replySerial, String destination, String errorName, String message) {
        header(DBus.ERROR, DBus.FLAG_NO_REPLY_EXPECTED, serial, null, null, null, errorName, replySerial, destination,
                "s", 0);
        return writeString(message);
    }

    public DBusWriter signal(int serial, String path, String iface, String member, String signature) {
        return header(DBus.SIGNAL, DBus.FLAG_NO_REPLY_EXPECTED, serial, path, iface, member, null, 0, null, signature, 0);
    }

    private DBusWriter header(int type, int flags, int serial, String path, String iface, String member,
                              String errorName, int replySerial, String destination, String signature, int unixFds) {
        position = 0;
        writeByte('l');
        writeByte(type);
        writeByte(flags);
        writeByte(DBus.PROTOCOL_VERSION);
        writeUint32(0); // body length, patched by finish()
        writeUint32(serial);
        long fields = beginArray(8);
        if (path != null) {
            field(DBus.FIELD_PATH, "o", path);
        }
        if (iface != null) {
            field(DBus.FIELD_INTERFACE, "s", iface);
        }
        if (member != null) {
            field(DBus.FIELD_MEMBER, "s", member);
        }
        if (errorName != null) {
            field(DBus.FIELD_ERROR_NAME, "s", errorName);
        }
        if (replySerial != 0) {
            beginStruct();
            writeByte(DBus.FIELD_REPLY_SERIAL);
            writeSignature("u");
            writeUint32(replySerial);
        }
        if (destination != null) {
            field(DBus.FIELD_DESTINATION, "s", destination);
        }
        if (signature != null && !signature.isEmpty()) {
            field(DBus.FIELD_SIGNATURE, "g", signature);
        }
        if (unixFds != 0) {
            beginStruct();
            writeByte(DBus.FIELD_UNIX_FDS);
            writeSignature("u");
            writeUint32(unixFds);
        }
        endArray(fields);
        align(8);
        bodyStart = position;
        return this;
    }

    private void field(int code, String type, String value) {
        beginStruct();
        writeByte(code);
        writeSignature(type);
        if (type.equals("g")) {
            writeSignature(value);
        } else {
            writeString(value);
        }
    }

    /** Patches the body length; returns the message's length in bytes. */
    public long finish() {
        if (bodyStart < 0) {
            throw new IllegalStateException("no message header written");
        }
        buffer.set(U32, 4, (int) (position - bodyStart));
        bodyStart = -1;
        return position;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    public long position() {
        return position;
    }

    public byte[] toByteArray() {
        return buffer.asSlice(0, position).toArray(ValueLayout.JAVA_BYTE);
    }

    public DBusWriter align(int alignment) {
        while (position % alignment != 0) {
            room(1);
            buffer.set(ValueLayout.JAVA_BYTE, position++, (byte) 0);
        }
        return this;
    }

    public DBusWriter writeByte(int value) {
        room(1);
        buffer.set(ValueLayout.JAVA_BYTE, position++, (byte) value);
        return this;
    }

    public DBusWriter writeBoolean(boolean value) {
        return writeUint32(value ? 1 : 0);
    }

    /** A {@code q} (uint16), as SetUIInfo's millimetre sizes. */
    public DBusWriter writeUint16(int value) {
        align(2);
        room(2);
        buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), position, (short) value);
        position += 2;
        return this;
    }

    public DBusWriter writeUint32(int value) {
        align(4);
        room(4);
        buffer.set(U32, position, value);
        position += 4;
        return this;
    }

    public DBusWriter writeInt32(int value) {
        return writeUint32(value);
    }

    /** An fd ({@code h}): its index in the message's SCM_RIGHTS list. */
    public DBusWriter writeFdIndex(int index) {
        return writeUint32(index);
    }

    public DBusWriter writeUint64(long value) {
        align(8);
        room(8);
        buffer.set(U64, position, value);
        position += 8;
        return this;
    }

    public DBusWriter writeString(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeUint32(bytes.length);
        return rawWithNul(bytes);
    }

    public DBusWriter writeObjectPath(String value) {
        return writeString(value);
    }

    public DBusWriter writeSignature(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 255) {
            throw new IllegalArgumentException("a D-Bus signature is at most 255 bytes: " + value);
        }
        writeByte(bytes.length);
        return rawWithNul(bytes);
    }

    /** Starts an array: returns a mark for {@link #endArray}; elements begin aligned to {@code elementAlignment}. */
    public long beginArray(int elementAlignment) {
        writeUint32(0);
        long lengthAt = position - 4;
        align(elementAlignment);
        return (lengthAt << 8) | elementAlignment;
    }

    public DBusWriter endArray(long mark) {
        long lengthAt = mark >>> 8;
        int elementAlignment = (int) (mark & 0xFF);
        long elementsStart = (lengthAt + 4 + elementAlignment - 1) / elementAlignment * elementAlignment;
        buffer.set(U32, lengthAt, (int) (position - elementsStart));
        return this;
    }

    public DBusWriter beginStruct() {
        return align(8);
    }

    private DBusWriter rawWithNul(byte[] bytes) {
        room(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, position, bytes.length);
        position += bytes.length;
        buffer.set(ValueLayout.JAVA_BYTE, position++, (byte) 0);
        return this;
    }

    private void room(long bytes) {
        if (position + bytes > buffer.byteSize()) {
            throw new IllegalStateException("D-Bus message larger than this writer's " + buffer.byteSize() + " bytes");
        }
    }
}

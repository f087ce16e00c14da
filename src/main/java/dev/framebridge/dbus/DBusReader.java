package dev.framebridge.dbus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Unmarshals little-endian D-Bus values from a message held in memory; positions and alignment count from the
 * message start. Byte arrays come back as slices of the message (no copy). A value that runs past the message is a
 * {@link DBusProtocolException}, never a read outside it.
 */
public final class DBusReader {
    private MemorySegment message = MemorySegment.NULL;
    private long position;
    private long limit;

    /** Reads {@code message} from {@code position} up to {@code limit}. */
    public DBusReader wrap(MemorySegment message, long position, long limit) {
        this.message = message;
        this.position = position;
        this.limit = limit;
        return this;
    }

    public long position() {
        return position;
    }

    public boolean hasRemaining() {
        return position < limit;
    }

    public void align(int alignment) throws DBusProtocolException {
        long aligned = (position + alignment - 1) / alignment * alignment;
        need(aligned - position);
        position = aligned;
    }

    public int readByte() throws DBusProtocolException {
        need(1);
        return message.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    public int readUint32() throws DBusProtocolException {
        align(4);
        need(4);
        int value = message.get(DBusWriter.U32, position);
        position += 4;
        return value;
    }

    public int readInt32() throws DBusProtocolException {
        return readUint32();
    }

    public boolean readBoolean() throws DBusProtocolException {
        int value = readUint32();
        if (value != 0 && value != 1) {
            throw new DBusProtocolException("a boolean must be 0 or 1, not " + Integer.toUnsignedString(value));
        }
        return value == 1;
    }

    public long readUint64() throws DBusProtocolException {
        align(8);
        need(8);
        long value = message.get(DBusWriter.U64, position);
        position += 8;
        return value;
    }

    /** A string or object path; allocates (use {@link #skipString} on hot paths). */
    public String readString() throws DBusProtocolException {
        long length = Integer.toUnsignedLong(readUint32());
        need(length + 1);
        String value = new String(message.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        position += length + 1;
        return value;
    }

    /** Skips a string or object path; returns where its bytes start (its length is at that offset minus 4). */
    public long skipString() throws DBusProtocolException {
        long length = Integer.toUnsignedLong(readUint32());
        need(length + 1);
        long at = position;
        position += length + 1;
        return at;
    }

    public String readSignature() throws DBusProtocolException {
        int length = readByte();
        need(length + 1L);
        String value = new String(message.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        position += length + 1;
        return value;
    }

    /** Skips a signature; returns where its bytes start (its length is the byte before). */
    public long skipSignature() throws DBusProtocolException {
        int length = readByte();
        need(length + 1L);
        long at = position;
        position += length + 1;
        return at;
    }

    /** Reads an array's length and aligns to its first element; returns where the array ends. */
    public long readArrayEnd(int elementAlignment) throws DBusProtocolException {
        long length = Integer.toUnsignedLong(readUint32());
        align(elementAlignment);
        need(length);
        return position + length;
    }

    /** An {@code ay} as a slice of the message: no copy. */
    public MemorySegment readByteArray() throws DBusProtocolException {
        long length = Integer.toUnsignedLong(readUint32());
        need(length);
        MemorySegment bytes = message.asSlice(position, length);
        position += length;
        return bytes;
    }

    /** Skips one value of a single complete type given as a basic type code or {@code ay}/{@code au}. */
    public void skipBasic(int typeCode) throws DBusProtocolException {
        switch (typeCode) {
            case 'y' -> readByte();
            case 'n', 'q' -> {
                align(2);
                need(2);
                position += 2;
            }
            case 'b', 'i', 'u', 'h' -> readUint32();
            case 'x', 't', 'd' -> readUint64();
            case 's', 'o' -> skipString();
            case 'g' -> skipSignature();
            default -> throw new DBusProtocolException("cannot skip a value of type '" + (char) typeCode + "' here");
        }
    }

    private void need(long bytes) throws DBusProtocolException {
        if (bytes < 0 || position + bytes > limit) {
            throw new DBusProtocolException("a value runs past the end of its message (" + bytes + " bytes at "
                    + position + ", message ends at " + limit + ")");
        }
    }
}

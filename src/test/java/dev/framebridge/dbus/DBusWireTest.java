package dev.framebridge.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The marshalling against golden bytes written from the D-Bus specification's "Message Format" section (little
 * endian, header fields as a(yv) with each struct on 8, the body on 8 after the header), not from this code.
 */
class DBusWireTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The bus's Hello call, 128 bytes, as every client's first message looks in dbus-monitor. */
    private static final String HELLO = ""
            + "6c010001" + "00000000" + "01000000" + "6d000000"                      // l, call, flags, v1; body 0; serial 1; fields 109
            + "01016f00" + "15000000" + HEX.formatHex("/org/freedesktop/DBus".getBytes()) + "00" + "0000"   // PATH o, pad to 48
            + "02017300" + "14000000" + HEX.formatHex("org.freedesktop.DBus".getBytes()) + "00" + "000000" // INTERFACE s, pad to 80
            + "03017300" + "05000000" + HEX.formatHex("Hello".getBytes()) + "00" + "0000"                    // MEMBER s, pad to 96
            + "06017300" + "14000000" + HEX.formatHex("org.freedesktop.DBus".getBytes()) + "00"              // DESTINATION s (ends 125)
            + "000000";                                                                                        // header padded to 128

    /** RegisterListener(h) on a console with one fd: SIGNATURE g and UNIX_FDS u fields, the body is fd index 0. */
    private static final String REGISTER_LISTENER = "6c01000104000000070000008000000001016f001c0000002f6f72672f71656d752f"
            + "446973706c6179312f436f6e736f6c655f300000000002017300190000006f72672e71656d752e446973706c6179312e436f6e73"
            + "6f6c6500000000000000030173001000000052656769737465724c697374656e65720000000000000000080167000168000009017500"
            + "0100000000000000";

    /** A 2x2 x8r8g8b8 Scanout with a 12-byte stride (4 bytes of row padding), NO_REPLY_EXPECTED, as QEMU sends it. */
    private static final String SCANOUT = "6c0101012c0000002a0000006c00000001016f001b0000002f6f72672f71656d752f446973706c"
            + "6179312f4c697374656e65720000000000020173001a0000006f72672e71656d752e446973706c6179312e4c697374656e65720000"
            + "0000000003017300070000005363616e6f7574000801670006757575756179000000000002000000020000000c00000088080220180000"
            + "000102030405060708eeeeeeee090a0b0c0d0e0f10eeeeeeee";

    /** An ERROR answering call #7 with org.freedesktop.DBus.Error.Failed and the text "nope!". */
    private static final String ERROR = "6c0301010a000000090000003f00000004017300210000006f72672e667265656465736b746f702e"
            + "444275732e4572726f722e4661696c65640000000000000005017500070000000801670001730000050000006e6f70652100";

    @Test
    void helloCallMatchesTheSpecificationsBytes() {
        DBusWriter w = new DBusWriter(1024);
        w.methodCall(1, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", null, 0);
        assertEquals(128, w.finish());
        assertEquals(HELLO, HEX.formatHex(w.toByteArray()));
    }

    @Test
    void registerListenerCarriesSignatureFdCountAndFdIndex() {
        DBusWriter w = new DBusWriter(1024);
        w.methodCall(7, 0, null, "/org/qemu/Display1/Console_0", "org.qemu.Display1.Console", "RegisterListener",
                "h", 1).writeFdIndex(0);
        w.finish();
        assertEquals(REGISTER_LISTENER, HEX.formatHex(w.toByteArray()));
    }

    @Test
    void emptyDictionaryReplyPadsItsEmptyArrayToEight() {
        DBusWriter w = new DBusWriter(1024);
        w.methodReturn(3, 2, null, "a{sv}");
        long headerEnd = w.position();
        w.endArray(w.beginArray(8));
        w.finish();
        byte[] bytes = w.toByteArray();
        // body: u32 length 0, then padding to the (absent) first dict entry's 8-byte boundary
        assertEquals(headerEnd + 8, bytes.length);
        assertEquals(8, bytes[4]); // body length counts the padding
    }

    @Test
    void scanoutParsesInPlaceWithThePixelsAsASliceOfTheMessage() throws Exception {
        MemorySegment message = segment(SCANOUT);
        assertEquals(message.byteSize(), DBusMessage.totalLength(message));
        DBusMessage m = new DBusMessage().parse(message, message.byteSize());
        assertEquals(DBus.METHOD_CALL, m.type());
        assertFalse(m.expectsReply());
        assertEquals(42, m.serial());
        assertEquals("/org/qemu/Display1/Listener", m.path());
        assertTrue(m.memberIs("Scanout".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(m.memberIs("Scanou".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(m.interfaceIs("org.qemu.Display1.Listener".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(m.signatureIs("uuuuay".getBytes(StandardCharsets.US_ASCII)));
        DBusReader r = m.body();
        assertEquals(2, r.readUint32());
        assertEquals(2, r.readUint32());
        assertEquals(12, r.readUint32());
        assertEquals(0x20020888, r.readUint32());
        MemorySegment data = r.readByteArray();
        assertEquals(24, data.byteSize());
        assertEquals(message.address() + message.byteSize() - 24, data.address(), "no copy: the pixels stay in place");
        assertEquals(1, data.get(ValueLayout.JAVA_BYTE, 0));
        assertFalse(r.hasRemaining());
    }

    @Test
    void errorAnswerNamesTheCallItAnswersAndItsText() throws Exception {
        MemorySegment message = segment(ERROR);
        DBusMessage m = new DBusMessage().parse(message, message.byteSize());
        assertEquals(DBus.ERROR, m.type());
        assertEquals(7, m.replySerial());
        assertEquals("org.freedesktop.DBus.Error.Failed", m.errorName());
        assertEquals("nope!", m.errorText());
    }

    @Test
    void writerOutputParsesBackToTheSameValues() throws Exception {
        DBusWriter w = new DBusWriter(1024);
        w.methodCall(99, DBus.FLAG_NO_REPLY_EXPECTED, "dest.name", "/a/b", "x.y", "M", "ybuitsoga(ii)", 0)
                .writeByte(7).writeBoolean(true).writeUint32(-1).writeInt32(-5).writeUint64(1L << 40)
                .writeString("héllo").writeObjectPath("/p").writeSignature("a{sv}");
        long arr = w.beginArray(8);
        w.beginStruct().writeInt32(1).writeInt32(2);
        w.beginStruct().writeInt32(3).writeInt32(4);
        w.endArray(arr);
        long length = w.finish();
        DBusMessage m = new DBusMessage().parse(w.buffer(), length);
        assertEquals("ybuitsoga(ii)", m.signature());
        assertFalse(m.expectsReply());
        DBusReader r = m.body();
        assertEquals(7, r.readByte());
        assertTrue(r.readBoolean());
        assertEquals(-1, r.readUint32());
        assertEquals(-5, r.readInt32());
        assertEquals(1L << 40, r.readUint64());
        assertEquals("héllo", r.readString());
        assertEquals("/p", r.readString());
        assertEquals("a{sv}", r.readSignature());
        long end = r.readArrayEnd(8);
        int sum = 0;
        while (r.position() < end) {
            r.align(8);
            sum += r.readInt32() * 10 + r.readInt32();
        }
        assertEquals(12 + 34, sum);
        assertFalse(r.hasRemaining());
    }

    @Test
    void truncatedOversizedAndBigEndianMessagesAreRefusedByName() {
        MemorySegment message = segment(SCANOUT);
        MemorySegment cut = message.asSlice(0, message.byteSize() - 10);
        // the header parses; the pixels run past the end and are refused, never read outside the message
        DBusReader r = assertDoesNotThrowParse(cut).body();
        assertTrue(assertThrows(DBusProtocolException.class, () -> {
            for (int i = 0; i < 4; i++) {
                r.readUint32();
            }
            r.readByteArray();
        }).getMessage().contains("runs past the end"));

        MemorySegment huge = segment(SCANOUT);
        huge.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0x7FFF_FFF0);
        assertTrue(assertThrows(DBusProtocolException.class, () -> DBusMessage.totalLength(huge)).getMessage()
                .contains("over the protocol's limit"));

        MemorySegment big = segment(SCANOUT);
        big.set(ValueLayout.JAVA_BYTE, 0, (byte) 'B');
        assertTrue(assertThrows(DBusProtocolException.class, () -> DBusMessage.totalLength(big)).getMessage()
                .contains("big-endian"));

        MemorySegment http = segment(HEX.formatHex("GET / HTTP/1.1\r\n".getBytes()));
        assertTrue(assertThrows(DBusProtocolException.class, () -> DBusMessage.totalLength(http)).getMessage()
                .contains("not a D-Bus message"));
    }

    private static DBusMessage assertDoesNotThrowParse(MemorySegment cut) {
        try {
            return new DBusMessage().parse(cut, cut.byteSize());
        } catch (DBusProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static MemorySegment segment(String hex) {
        byte[] bytes = HEX.parseHex(hex);
        MemorySegment s = Arena.ofAuto().allocate(bytes.length, 8);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }
}

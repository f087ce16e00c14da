package dev.framebridge.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.dbus.DBus;
import dev.framebridge.dbus.DBusConnection;
import dev.framebridge.dbus.DBusWriter;
import dev.framebridge.transport.NativeSocket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/**
 * The listener with the test in QEMU's place on a socketpair (the D-Bus server side: it answers the authentication
 * and sends 1080p Scanout/Update calls byte for byte as QEMU 7.2 does), to check what a guest-less QEMU cannot
 * show: a full-HD picture (8 MB in one message) and damage landing in place at the right rows and columns.
 */
class ConsoleListenerTest {
    private static final int W = 1920;
    private static final int H = 1080;

    @Test
    void fullHdScanoutThenUpdateLandInPlaceAndTheRestStaysUntouched() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        ConsoleFrame frame = new ConsoleFrame(0);
        List<String> log = new CopyOnWriteArrayList<>();
        ConsoleListener listener = new ConsoleListener(new DBusConnection(pair[0], "listener"), frame, log::add);
        Thread thread = Thread.ofPlatform().start(listener);
        NativeSocket qemu = pair[1];
        try (Arena arena = Arena.ofConfined()) {
            serveAuthentication(qemu, arena);

            MemorySegment picture = arena.allocate((long) W * 4 * H);
            for (long i = 0; i < picture.byteSize(); i += 4) {
                picture.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i / 4 * 2654435761L));
            }
            long sent = System.nanoTime();
            sendCall(qemu, arena, "Scanout", "uuuuay", w -> w.writeUint32(W).writeUint32(H).writeUint32(W * 4)
                    .writeUint32(PixmanFormat.X8R8G8B8).writeUint32(W * 4 * H), picture);
            assertTrue(frame.awaitChange(0, 10_000) > 0, "the Scanout arrived; log " + log);
            long landedNs = System.nanoTime() - sent;
            synchronized (frame) {
                assertEquals(W, frame.width());
                assertEquals(H, frame.height());
                assertEquals(-1, frame.pixels().mismatch(picture), "the 1080p picture landed unchanged");
            }

            // a 100x50 rectangle at (300, 200) with a stride of 100*4 + 16 bytes of padding per row
            int rw = 100;
            int rh = 50;
            int stride = rw * 4 + 16;
            MemorySegment rect = arena.allocate((long) stride * rh);
            rect.fill((byte) 0x5A);
            long before = frame.version();
            sendCall(qemu, arena, "Update", "iiiiuuay", w -> w.writeInt32(300).writeInt32(200).writeInt32(rw)
                    .writeInt32(rh).writeUint32(stride).writeUint32(PixmanFormat.X8R8G8B8)
                    .writeUint32(stride * rh), rect);
            assertTrue(frame.awaitChange(before, 10_000) > before, "the Update arrived; log " + log);
            synchronized (frame) {
                MemorySegment p = frame.pixels();
                long slotStride = W * 4L;
                assertEquals(0x5A5A5A5A, p.get(ValueLayout.JAVA_INT_UNALIGNED, 200 * slotStride + 300 * 4));
                assertEquals(0x5A5A5A5A, p.get(ValueLayout.JAVA_INT_UNALIGNED, 249 * slotStride + 399 * 4));
                for (long at : new long[] {200 * slotStride + 299 * 4, 200 * slotStride + 400 * 4,
                        199 * slotStride + 300 * 4, 250 * slotStride + 300 * 4}) {
                    assertEquals(picture.get(ValueLayout.JAVA_INT_UNALIGNED, at), p.get(ValueLayout.JAVA_INT_UNALIGNED, at),
                            "pixels around the rectangle keep the Scanout's values");
                }
            }
            int[] damage = new int[4];
            assertTrue(frame.takeDamage(damage));
            assertEquals(0, damage[0], "the Scanout's damage is the whole picture, joined with the Update's");
            assertFalse(frame.takeDamage(damage), "damage is taken once");
            assertEquals(1, frame.scanouts());
            assertEquals(1, frame.updates());
            System.out.printf("1080p Scanout (%d bytes) from first byte sent to landed in the slot: %.1f ms (loaded "
                    + "machine; not a benchmark)%n", picture.byteSize(), landedNs / 1e6);

            // a 16-bit mode is refused by name, the picture kept
            sendCall(qemu, arena, "Scanout", "uuuuay", w -> w.writeUint32(2).writeUint32(2).writeUint32(4)
                    .writeUint32(0x10020565).writeUint32(8), arena.allocate(8));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (frame.refused() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, frame.refused());
            assertTrue(frame.lastRefusal().contains("16 bpp"), frame.lastRefusal());
            assertEquals(W, frame.width());

            // QEMU goes away: the listener says so and the console is blank
            qemu.close();
            thread.join(5_000);
            assertFalse(thread.isAlive());
            assertFalse(frame.enabled());
            assertTrue(log.stream().anyMatch(l -> l.contains("QEMU closed the display listener")), log.toString());
        } finally {
            listener.stop();
            thread.join(2_000);
            qemu.close();
            frame.release();
        }
    }

    /** The server half of the D-Bus authentication, as GDBus answers it. */
    private static void serveAuthentication(NativeSocket qemu, Arena arena) throws Exception {
        String auth = readLine(qemu, arena);
        assertTrue(auth.startsWith("\0AUTH EXTERNAL "), auth);
        write(qemu, arena, "OK 0123456789abcdef0123456789abcdef\r\n");
        assertEquals("NEGOTIATE_UNIX_FD", readLine(qemu, arena));
        write(qemu, arena, "AGREE_UNIX_FD\r\n");
        assertEquals("BEGIN", readLine(qemu, arena));
    }

    private interface Args {
        void write(DBusWriter w);
    }

    private static int serial;

    /** A call to the listener with its trailing byte array sent straight from {@code data} (as GDBus does). */
    private static void sendCall(NativeSocket qemu, Arena arena, String member, String signature, Args args,
                                 MemorySegment data) throws Exception {
        DBusWriter w = new DBusWriter(4096);
        w.methodCall(++serial, DBus.FLAG_NO_REPLY_EXPECTED, null, "/org/qemu/Display1/Listener",
                "org.qemu.Display1.Listener", member, signature, 0);
        args.write(w);
        long headerAndArgs = w.position();
        w.finish();
        // the body length counts the array's bytes too
        int body = (int) (headerAndArgs - bodyStart(w)) + (int) data.byteSize();
        w.buffer().set(ValueLayout.JAVA_INT_UNALIGNED, 4, body);
        writeAll(qemu, w.buffer(), headerAndArgs);
        writeAll(qemu, data, data.byteSize());
    }

    private static long bodyStart(DBusWriter w) {
        long fields = Integer.toUnsignedLong(w.buffer().get(ValueLayout.JAVA_INT_UNALIGNED, 12));
        return (16 + fields + 7) / 8 * 8;
    }

    private static void writeAll(NativeSocket s, MemorySegment data, long length) throws Exception {
        long done = 0;
        while (done < length) {
            long n = s.write(data, done, length - done);
            if (n == 0) {
                assertTrue(s.awaitWritable(10_000), "the listener stopped reading");
            }
            done += n;
        }
    }

    private static void write(NativeSocket s, Arena arena, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        MemorySegment seg = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        writeAll(s, seg, bytes.length);
    }

    private static String readLine(NativeSocket s, Arena arena) throws Exception {
        MemorySegment one = arena.allocate(1);
        StringBuilder line = new StringBuilder();
        while (true) {
            long n = s.read(one, 0, 1);
            if (n == 0) {
                assertTrue(s.awaitReadable(10_000), "the listener said nothing");
                continue;
            }
            assertTrue(n > 0, "the listener hung up during authentication");
            char c = (char) one.get(ValueLayout.JAVA_BYTE, 0);
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append(c);
        }
    }
}

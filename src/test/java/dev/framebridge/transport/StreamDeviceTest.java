package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NativeSocket#openStreamDevice}: a file that is not a socket (a guest's virtio-serial port; here a FIFO,
 * which a process may open read-write on Linux and read back what it wrote) carries bytes with read(2)/write(2), is
 * non-blocking like a socket, and refuses the socket-only calls with a clear error instead of ENOTSOCK from deep down.
 */
class StreamDeviceTest {
    @TempDir
    Path dir;

    @Test
    void bytesWrittenToAStreamDeviceAreReadBackAndAnEmptyOneSaysNotNow() throws Exception {
        Path fifo = fifo();
        try (Arena arena = Arena.ofConfined();
             NativeSocket device = NativeSocket.openStreamDevice(fifo)) {
            assertEquals("device:" + fifo, device.peer());
            MemorySegment buf = arena.allocate(64);
            assertEquals(0, device.read(buf, 0, 64), "nothing written yet: not now (EAGAIN), not end of stream");
            byte[] hello = "HXFR over a port".getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(hello, 0, buf, JAVA_BYTE, 0, hello.length);
            assertEquals(hello.length, device.write(buf, 0, hello.length));
            assertTrue(device.awaitReadable(1000));
            MemorySegment back = arena.allocate(64);
            assertEquals(hello.length, device.read(back, 0, 64));
            assertArrayEquals(hello, back.asSlice(0, hello.length).toArray(JAVA_BYTE));
        }
    }

    @Test
    void socketOnlyCallsOnAStreamDeviceAreRefusedNamingTheDevice() throws Exception {
        Path fifo = fifo();
        try (Arena arena = Arena.ofConfined();
             NativeSocket device = NativeSocket.openStreamDevice(fifo)) {
            MemorySegment buf = arena.allocate(8);
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> device.sendWithFds(buf, 0, 8, new int[] {0}, 1));
            assertEquals(LibC.ENOTSOCK, e.errno());
            assertTrue(e.getMessage().contains("device:" + fifo) && e.getMessage().contains("Unix socket"), e.getMessage());
            assertThrows(ErrnoException.class, device::shutdownOutput);
        }
    }

    @Test
    void aMissingDeviceIsAnErrorSayingWhatItShouldBe() {
        Path missing = dir.resolve("no-such-port");
        ErrnoException e = assertThrows(ErrnoException.class, () -> NativeSocket.openStreamDevice(missing));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("virtio-serial"), e.getMessage());
    }

    private Path fifo() throws Exception {
        Path fifo = dir.resolve("port");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return fifo;
    }
}

package dev.framebridge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** errno reaches the user as call + subject + strerror text + symbolic name + fix. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ErrnoMessagesTest {
    @TempDir
    Path dir;

    @Test
    void connectToAMissingUnixPathSaysEnoent() {
        Path missing = dir.resolve("x.sock");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> NativeSocket.connect(new Endpoint.Unix(missing.toString()), Duration.ofSeconds(1)));
        assertEquals(LibC.ENOENT, e.errno());
        assertEquals("connect(unix:" + missing + ")", e.call());
        assertEquals("connect(unix:" + missing + "): No such file or directory (ENOENT) — no socket at that path: "
                + "is framebridge (or the VMM) running, and is the path right?", e.getMessage());
    }

    @Test
    void connectToAClosedTcpPortSaysEconnrefused() throws Exception {
        int port;
        try (SocketListener l = SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults())) {
            port = ((Endpoint.Tcp) l.endpoint()).port();
        }
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> NativeSocket.connect(Endpoint.parse("tcp:127.0.0.1:" + port), Duration.ofSeconds(2)));
        assertEquals(LibC.ECONNREFUSED, e.errno());
        assertEquals("connect(tcp:127.0.0.1:" + port + "): Connection refused (ECONNREFUSED) — nothing is listening "
                + "there: start the listener or check the port / path", e.getMessage());
    }

    @Test
    void writingToAClosedPeerIsEpipeNotASignal() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try (NativeSocket a = pair[0]; Arena arena = Arena.ofConfined()) {
            pair[1].close();
            MemorySegment buf = arena.allocate(16);
            ErrnoException e = assertThrows(ErrnoException.class, () -> a.write(buf, 0, 16));
            assertEquals(LibC.EPIPE, e.errno());
            assertEquals("send(unix:pair): Broken pipe (EPIPE)", e.getMessage());
        }
    }

    @Test
    void errnoHolderReadsWhatTheCallLeft() {
        Errno e = new Errno();
        assertEquals(-1, LibC.close(e, -1));
        assertEquals(LibC.EBADF, e.get());
        assertEquals("close(-1): Bad file descriptor (EBADF)", e.exception("close(-1)").getMessage());
        assertEquals("errno 4095", Errno.name(4095));
    }
}

package dev.framebridge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.Vsock;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketListenerTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldCreateUnixSocketOwnerOnlyByDefault() throws Exception {
        Path sock = dir.resolve("fb.sock");
        track(SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults()));
        assertEquals("rw-------", mode(sock));
    }

    @Test
    void shouldGiveTheSocketToAConfiguredGroupOrNameTheMissingGroup() throws Exception {
        Path sock = dir.resolve("fb.sock");
        String own = java.nio.file.Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class)
                .group().getName();
        track(SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults().withUnixGroup(own)));
        assertEquals(own, java.nio.file.Files.readAttributes(sock, java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).group().getName());

        Path other = dir.resolve("other.sock");
        IOException e = assertThrows(IOException.class, () -> SocketListener.listen(new Endpoint.Unix(other.toString()),
                ListenOptions.defaults().withUnixGroup("no-such-group-fb")));
        assertEquals("unix:" + other + ": there is no group \"no-such-group-fb\" on this host — create it, or give"
                + " --unix-group a group that exists and this user is a member of", e.getMessage());
    }

    @Test
    void shouldApplyAConfiguredMode() throws Exception {
        Path sock = dir.resolve("fb.sock");
        track(SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults().withUnixMode(0660)));
        assertEquals("rw-rw----", mode(sock));
    }

    @Test
    void shouldRemoveItsSocketFileOnClose() throws Exception {
        Path sock = dir.resolve("fb.sock");
        SocketListener l = SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults());
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
        l.close();
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldReplaceAStaleSocketFileNobodyListensOn() throws Exception {
        Path sock = dir.resolve("fb.sock");
        makeStaleSocket(sock);
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "precondition: a stale socket file");
        SocketListener l = track(SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults()));
        NativeSocket c = track(NativeSocket.connect(l.endpoint(), Duration.ofSeconds(5)));
        assertTrue(c.isOpen());
        track(NativeSocketEchoTest.acceptWithin(l, 5000));
    }

    @Test
    void shouldRefuseASocketFileALiveListenerOwns() throws Exception {
        Path sock = dir.resolve("fb.sock");
        track(SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults()));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults()));
        assertEquals(LibC.EADDRINUSE, e.errno());
        assertEquals("bind(unix:" + sock + "): Address already in use (EADDRINUSE) — another process is listening on "
                + sock + "; stop it or choose another path", e.getMessage());
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the live listener's socket must survive");
    }

    @Test
    void shouldRefuseToReplaceAFileThatIsNotASocket() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "keep me");
        IOException e = assertThrows(IOException.class,
                () -> SocketListener.listen(new Endpoint.Unix(file.toString()), ListenOptions.defaults()));
        assertEquals("unix:" + file + ": " + file + " exists and is not a socket; framebridge will not replace it"
                + " — remove it or choose another path", e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void shouldNameTheMissingDirectoryWhenBindFails() {
        Path sock = dir.resolve("no/such/dir/fb.sock");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> SocketListener.listen(new Endpoint.Unix(sock.toString()), ListenOptions.defaults()));
        assertEquals("bind(unix:" + sock + "): No such file or directory (ENOENT) — the directory of the socket path"
                + " does not exist; create it first", e.getMessage());
    }

    @Test
    void shouldReportTcpPortInUse() throws Exception {
        SocketListener first = track(SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults()));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> SocketListener.listen(first.endpoint(), ListenOptions.defaults()));
        assertEquals(LibC.EADDRINUSE, e.errno());
        assertEquals("bind(" + first.endpoint() + "): Address already in use (EADDRINUSE) — another process is using "
                + first.endpoint() + "; stop it or choose another address", e.getMessage());
    }

    @Test
    void acceptShouldReturnNullWhenNobodyIsWaiting() throws Exception {
        SocketListener l = track(SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults()));
        assertNull(l.accept());
    }

    @Test
    void hybridVsockListenerShouldListenOnUdsPathUnderscorePort() throws Exception {
        Path uds = dir.resolve("v.sock");
        Endpoint.HybridVsock h = new Endpoint.HybridVsock(uds.toString(), 5000);
        SocketListener l = track(SocketListener.listen(h, ListenOptions.defaults()));
        Path expected = dir.resolve("v.sock_5000");
        assertEquals("rw-------", mode(expected));
        assertFalse(Files.exists(uds), "the VMM owns UDS_PATH itself; we only listen on UDS_PATH_PORT");
        // what Firecracker does when the guest connects to host port 5000
        track(NativeSocket.connect(new Endpoint.Unix(expected.toString()), Duration.ofSeconds(5)));
        assertEquals("unix", track(NativeSocketEchoTest.acceptWithin(l, 5000)).peer());
        l.close();
        assertFalse(Files.exists(expected, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * AF_VSOCK: create, bind to any CID, listen, close. Never connects — there is no vsock loopback here and
     * CID 2 is a real host.
     */
    @Test
    void shouldBindAndListenOnVsockWithoutConnecting() throws Exception {
        Errno e = new Errno();
        int probe = LibC.socket(e, Vsock.AF_VSOCK, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        Assumptions.assumeTrue(probe >= 0, () -> "skipped: this kernel has no AF_VSOCK (" + e.exception("socket").getMessage() + ")");
        LibC.close(e, probe);

        SocketListener l = track(SocketListener.listen(Endpoint.parse("vsock:any:any"),
                ListenOptions.defaults().withVsockAllowedCids(java.util.Set.of(3))));
        Endpoint.Vsock bound = (Endpoint.Vsock) l.endpoint();
        assertEquals(Vsock.VMADDR_CID_ANY, bound.cid());
        assertTrue(bound.port() != Vsock.VMADDR_PORT_ANY, "the kernel must have chosen a port: " + bound);
        assertNull(l.accept(), "nobody connects");
        assertEquals(0, l.rejectedPeers());
        // guests get room for a whole 1080p frame (accepted sockets inherit the listener's buffer size)
        assertEquals(SocketListener.VSOCK_BUFFER_BYTES, SocketOptions.getLong(e, l.fd(), Vsock.AF_VSOCK,
                Vsock.SO_VM_SOCKETS_BUFFER_SIZE, "getsockopt(SO_VM_SOCKETS_BUFFER_SIZE)"));
        l.close();

        // the same explicit port is free again after close
        track(SocketListener.listen(bound, ListenOptions.defaults())).close();
    }

    /** A socket file whose listener died: bind a socket to the path and close it without unlinking. */
    private static void makeStaleSocket(Path path) throws Exception {
        Errno e = new Errno();
        int fd = LibC.socket(e, LibC.AF_UNIX, LibC.SOCK_STREAM, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(128, 8);
            int len = SocketAddresses.unix(addr, path.toString());
            assertEquals(0, LibC.bind(e, fd, addr, len));
            assertEquals(0, LibC.listen(e, fd, 1));
        } finally {
            LibC.close(e, fd);
        }
    }
}

package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sockets, real kernel buffers: 8 MiB (plus a header) goes out through one gathering write list and
 * comes back through an echo peer. The payload is far larger than the socket buffers, so writes come back
 * partial and reads short, and the bytes only match if every resume is right.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NativeSocketEchoTest {
    private static final int PAYLOAD = 8 << 20;
    private static final int HEADER = 36;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private SocketListener listener;
    private EchoPeer peer;
    private NativeSocket client;

    @AfterEach
    void closeEverything() throws Exception {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (listener != null) {
            listener.close();
        }
        arena.close();
    }

    @Test
    void shouldEchoEightMebibytesOverUnixSocketResumingPartialWrites() throws Exception {
        listener = SocketListener.listen(Endpoint.parse("unix:" + dir.resolve("echo.sock")), ListenOptions.defaults());
        peer = new EchoPeer(listener, null);
        client = NativeSocket.connect(listener.endpoint(), Duration.ofSeconds(5));
        Result r = echo(client);
        peer.join(10_000);
        assertEquals("unix", peer.acceptedPeer);
        assertTrue(r.partialWrites > 0, "an 8 MiB write into a Unix socket must come back partial at least once");
        assertTrue(r.reads > 1, "the echo must arrive in several reads");
    }

    @Test
    void shouldEchoEightMebibytesOverTcpLoopback() throws Exception {
        listener = SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults());
        int port = ((Endpoint.Tcp) listener.endpoint()).port();
        assertTrue(port > 0, "port 0 must be replaced by the port the kernel chose");
        peer = new EchoPeer(listener, null);
        client = NativeSocket.connect(listener.endpoint(), Duration.ofSeconds(5));
        assertEquals("tcp:127.0.0.1:" + port, client.peer());
        Result r = echo(client);
        peer.join(10_000);
        assertTrue(peer.acceptedPeer.startsWith("tcp:127.0.0.1:"), peer.acceptedPeer);
        assertTrue(r.partialWrites > 0, "an 8 MiB write into TCP loopback must come back partial at least once");
    }

    @Test
    void shouldSetNoDelayAndOneMebibyteSendBufferOnTcpClients() throws Exception {
        listener = SocketListener.listen(Endpoint.parse("tcp:localhost:0"), ListenOptions.defaults());
        client = NativeSocket.connect(listener.endpoint(), Duration.ofSeconds(5));
        dev.framebridge.ffi.Errno e = new dev.framebridge.ffi.Errno();
        assertEquals(1, SocketOptions.getInt(e, client.fd(), LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "TCP_NODELAY") != 0 ? 1 : 0);
        // Linux doubles the requested size for bookkeeping overhead
        assertEquals(2 << 20, SocketOptions.getInt(e, client.fd(), LibC.SOL_SOCKET, LibC.SO_SNDBUF, "SO_SNDBUF"));
        NativeSocket accepted = acceptWithin(listener, 5000);
        try {
            assertEquals(1, SocketOptions.getInt(e, accepted.fd(), LibC.IPPROTO_TCP, LibC.TCP_NODELAY, "") != 0 ? 1 : 0);
        } finally {
            accepted.close();
        }
    }

    @Test
    void shouldEchoOverIpv6LoopbackWhenAvailable() throws Exception {
        try {
            listener = SocketListener.listen(Endpoint.parse("tcp:[::1]:0"), ListenOptions.defaults());
        } catch (dev.framebridge.ffi.ErrnoException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
        }
        peer = new EchoPeer(listener, null);
        client = NativeSocket.connect(listener.endpoint(), Duration.ofSeconds(5));
        echo(client);
        peer.join(10_000);
        assertTrue(peer.acceptedPeer.startsWith("tcp:[::1]:"), peer.acceptedPeer);
    }

    static NativeSocket acceptWithin(SocketListener l, long ms) throws Exception {
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() - deadline < 0) {
            NativeSocket s = l.accept();
            if (s != null) {
                return s;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("nothing to accept within " + ms + " ms");
    }

    record Result(int partialWrites, int reads) {
    }

    /** Sends header + payload (two halves) through one GatherList while reading the echo, driven by epoll. */
    private Result echo(NativeSocket s) throws Exception {
        MemorySegment header = arena.allocate(HEADER);
        MemorySegment payload = arena.allocate(PAYLOAD);
        byte[] random = new byte[PAYLOAD];
        new Random(42).nextBytes(random);
        MemorySegment.copy(random, 0, payload, JAVA_BYTE, 0, PAYLOAD);
        header.fill((byte) 0x5A);
        MemorySegment back = arena.allocate(HEADER + PAYLOAD + 1); // one spare byte, so end of stream is seen by a non-empty read

        GatherList out = new GatherList(4).add(header, 0, HEADER).add(payload, 0, PAYLOAD / 2)
                .add(payload, PAYLOAD / 2, PAYLOAD / 2);
        long total = out.remaining();
        int partialWrites = 0;
        int reads = 0;
        long received = 0;
        boolean shutdown = false;
        try (Epoll epoll = new Epoll(2)) {
            epoll.add(s.fd(), LibC.EPOLLIN | LibC.EPOLLOUT);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (true) {
                assertTrue(System.nanoTime() - deadline < 0, "echo did not finish within 30 s; received " + received);
                int n = epoll.wait(1000);
                assertTrue(n > 0, "no progress for a second");
                int ev = epoll.events(0);
                assertEquals(s.fd(), epoll.fd(0));
                if ((ev & LibC.EPOLLOUT) != 0 && !out.isEmpty()) {
                    long before = out.remaining();
                    long w = s.writev(out);
                    if (w > 0 && w < before) {
                        partialWrites++;
                    }
                    if (out.isEmpty() && !shutdown) {
                        s.shutdownOutput();
                        shutdown = true;
                        epoll.modify(s.fd(), LibC.EPOLLIN);
                    }
                }
                if ((ev & (LibC.EPOLLIN | LibC.EPOLLHUP)) != 0) {
                    long r = s.read(back, received, back.byteSize() - received);
                    if (r < 0) {
                        break;
                    }
                    if (r > 0) {
                        reads++;
                        received += r;
                    }
                }
            }
        }
        assertEquals(total, received, "echoed byte count");
        assertEquals(-1, back.asSlice(0, HEADER).mismatch(header), "header bytes differ");
        assertEquals(-1, back.asSlice(HEADER, PAYLOAD).mismatch(payload), "payload bytes differ");
        assertNotNull(peer);
        return new Result(partialWrites, reads);
    }
}

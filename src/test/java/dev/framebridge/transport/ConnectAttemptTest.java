package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A connect that never blocks: what pends, what retries, and what the owner's deadline reports. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectAttemptTest {
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

    @Test
    void shouldStayPendingWithoutBlockingWhileATcpListenersQueueIsFullThenReportTheDeadline() throws Exception {
        SocketListener full = track(SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"),
                ListenOptions.defaults().withBacklog(1)));
        track(NativeSocket.connect(full.endpoint(), Duration.ofSeconds(2))); // backlog 1 queues two
        track(NativeSocket.connect(full.endpoint(), Duration.ofSeconds(2)));

        long t0 = System.nanoTime();
        ConnectAttempt a = track(ConnectAttempt.start(full.endpoint(), Duration.ofMillis(400), t0));
        assertTrue(System.nanoTime() - t0 < 300_000_000L, "start returns at once");
        assertFalse(a.done());
        assertEquals(LibC.EPOLLOUT, a.interest(), "waits for writability, in whatever loop owns it");
        assertEquals("connecting", a.state());
        assertEquals(0, pollOnce(a.fd(), a.interest(), 500), "the SYN was dropped: the connect stays in SYN_SENT");
        assertFalse(a.advance(0, System.nanoTime()), "woken by time only: still connecting");
        ErrnoException e = (ErrnoException) a.timedOut();
        assertEquals("connect(" + full.endpoint() + "): Connection timed out (ETIMEDOUT) — no answer within 400 ms",
                e.getMessage());
    }

    @Test
    void shouldRetryAUnixListenerWithAFullBacklogUntilThereIsRoom() throws Exception {
        SocketListener full = track(SocketListener.listen(Endpoint.parse("unix:" + dir.resolve("full.sock")),
                ListenOptions.defaults().withBacklog(1)));
        track(NativeSocket.connect(full.endpoint(), Duration.ofSeconds(2)));
        track(NativeSocket.connect(full.endpoint(), Duration.ofSeconds(2)));

        long now = 1_000_000_000L; // the owner's clock: the attempt only compares it
        ConnectAttempt a = track(ConnectAttempt.start(full.endpoint(), Duration.ofSeconds(1), now));
        assertFalse(a.done());
        assertEquals(0, a.interest(), "the kernel said EAGAIN: nothing to watch on the fd, only time");
        assertEquals(now + ConnectAttempt.BACKLOG_RETRY_NANOS, a.wakeAt());
        assertFalse(a.advance(0, now + ConnectAttempt.BACKLOG_RETRY_NANOS), "still full");
        assertEquals("connect(" + full.endpoint() + "): Resource temporarily unavailable (EAGAIN) — the listener's"
                + " backlog stayed full for 1000 ms", a.timedOut().getMessage());

        track(awaitAccept(full)); // room for one
        assertTrue(a.advance(0, now + 2 * ConnectAttempt.BACKLOG_RETRY_NANOS));
        NativeSocket s = track(a.socket());
        assertNotNull(s);
        assertTrue(s.isOpen());
    }

    @Test
    void shouldReportARefusedConnectAtOnce() throws Exception {
        SocketListener l = SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults());
        Endpoint gone = l.endpoint();
        l.close();
        ErrnoException e = assertThrows(ErrnoException.class, () -> {
            ConnectAttempt a = track(ConnectAttempt.start(gone, Duration.ofSeconds(2), System.nanoTime()));
            while (!a.done()) {
                a.advance(pollOnce(a.fd(), a.interest(), 2_000), System.nanoTime());
            }
        });
        assertEquals(LibC.ECONNREFUSED, e.errno(), e.getMessage());
    }

    private static NativeSocket awaitAccept(SocketListener l) throws Exception {
        for (int i = 0; i < 5_000; i++) {
            NativeSocket s = l.accept();
            if (s != null) {
                return s;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("nothing to accept at " + l.endpoint());
    }

    /** The events ready on {@code fd} within {@code ms}, 0 when none. */
    private static int pollOnce(int fd, int events, int ms) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            Errno e = new Errno();
            MemorySegment pfd = arena.allocate(LibCLayouts.pollfd);
            pfd.set(JAVA_INT, LibCLayouts.POLLFD_FD, fd);
            pfd.set(JAVA_SHORT, LibCLayouts.POLLFD_EVENTS, (short) events);
            int n = LibC.poll(e, pfd, 1, ms);
            if (n < 0) {
                throw e.exception("poll");
            }
            return n == 0 ? 0 : pfd.get(JAVA_SHORT, LibCLayouts.POLLFD_REVENTS) & 0xFFFF;
        }
    }
}

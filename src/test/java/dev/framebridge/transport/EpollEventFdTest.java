package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollEventFdTest {
    private final Arena arena = Arena.ofShared();
    private Epoll epoll;
    private EventFd wake;
    private NativeSocket[] pair;

    @AfterEach
    void closeEverything() {
        if (pair != null) {
            pair[0].close();
            pair[1].close();
        }
        if (wake != null) {
            wake.close();
        }
        if (epoll != null) {
            epoll.close();
        }
        arena.close();
    }

    @Test
    void shouldReportReadinessWithTheRegisteredDataWord() throws Exception {
        epoll = new Epoll(8);
        pair = NativeSocket.pair();
        epoll.add(pair[1].fd(), LibC.EPOLLIN, 0xABCD_0000_0000_0042L);
        assertEquals(0, epoll.wait(0), "nothing sent yet");

        MemorySegment buf = arena.allocate(8);
        assertEquals(8, pair[0].write(buf, 0, 8));
        assertEquals(1, epoll.wait(1000));
        assertEquals(LibC.EPOLLIN, epoll.events(0) & LibC.EPOLLIN);
        assertEquals(0xABCD_0000_0000_0042L, epoll.data(0), "the 64-bit data word survives the packed layout");

        assertEquals(8, pair[1].read(buf, 0, 8));
        assertEquals(0, epoll.wait(0), "level-triggered: drained means quiet");

        epoll.modify(pair[1].fd(), LibC.EPOLLIN | LibC.EPOLLRDHUP);
        pair[0].close();
        assertEquals(1, epoll.wait(1000));
        assertEquals(pair[1].fd(), epoll.fd(0));
        assertTrue((epoll.events(0) & (LibC.EPOLLRDHUP | LibC.EPOLLHUP)) != 0, "peer close shows as hang-up");
        epoll.remove(pair[1].fd());
        assertEquals(0, epoll.wait(0));
    }

    @Test
    void shouldReportManyReadyFdsInOneWait() throws Exception {
        epoll = new Epoll(4);
        pair = NativeSocket.pair();
        epoll.add(pair[0].fd(), LibC.EPOLLOUT);
        epoll.add(pair[1].fd(), LibC.EPOLLOUT);
        assertEquals(2, epoll.wait(1000));
        int a = epoll.fd(0);
        int b = epoll.fd(1);
        assertEquals(pair[0].fd() + pair[1].fd(), a + b);
        assertTrue(a != b);
    }

    @Test
    void eventFdShouldWakeAParkedWaitFromAnotherThread() throws Exception {
        epoll = new Epoll(4);
        wake = new EventFd();
        epoll.add(wake.fd(), LibC.EPOLLIN);
        assertEquals(0, wake.drain(), "no signal yet");

        long start = System.nanoTime(); // before the signaller starts: the 200 ms it sleeps are inside what is measured
        Thread signaller = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            wake.signal();
        });
        int n = epoll.wait(10_000);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        signaller.join();
        assertEquals(1, n);
        assertEquals(wake.fd(), epoll.fd(0));
        assertTrue(waitedMs >= 150 && waitedMs < 5000, "woken by the signal, not the timeout: " + waitedMs + " ms");
        assertEquals(1, wake.drain());
        assertEquals(0, epoll.wait(0), "drained");
    }

    @Test
    void eventFdShouldCountSignalsUntilDrained() throws Exception {
        wake = new EventFd();
        assertTrue(wake.signal());
        assertTrue(wake.signal());
        assertTrue(wake.signal());
        assertEquals(3, wake.drain());
        assertEquals(0, wake.drain());
        wake.close();
        assertTrue(!wake.signal(), "a closed eventfd is never written");
    }

    @Test
    void shouldPassFileDescriptorsWithScmRights() throws Exception {
        pair = NativeSocket.pair();
        wake = new EventFd();
        MemorySegment buf = arena.allocate(16);
        buf.set(JAVA_LONG, 0, 0x1122334455667788L);
        assertEquals(8, pair[0].sendWithFds(buf, 0, 8, new int[] {wake.fd()}, 1));

        MemorySegment in = arena.allocate(16);
        int[] fds = new int[2];
        pair[1].awaitReadable(1000);
        assertEquals(8, pair[1].readWithFds(in, 0, 16, fds));
        assertEquals(0x1122334455667788L, in.get(JAVA_LONG, 0));
        assertEquals(1, pair[1].receivedFdCount());
        int received = fds[0];
        assertTrue(received != wake.fd(), "a new descriptor number for the same file");

        // the received fd is the same eventfd: a write through it is what drain() sees
        Errno e = new Errno();
        MemorySegment seven = arena.allocate(JAVA_LONG);
        seven.set(JAVA_LONG, 0, 7L);
        assertEquals(8, LibC.write(e, received, seven.address(), 8));
        assertEquals(7, wake.drain());
        assertEquals(0, LibC.close(e, received));
    }

    @Test
    void shouldCloseAndRefuseMoreDescriptorsThanTheCallerHasRoomFor() throws Exception {
        pair = NativeSocket.pair();
        wake = new EventFd();
        MemorySegment buf = arena.allocate(16);
        assertEquals(1, pair[0].sendWithFds(buf, 0, 1, new int[] {wake.fd(), wake.fd()}, 2));
        int[] room = new int[1];
        pair[1].awaitReadable(1000);
        dev.framebridge.ffi.ErrnoException ex = org.junit.jupiter.api.Assertions.assertThrows(
                dev.framebridge.ffi.ErrnoException.class, () -> pair[1].readWithFds(buf, 0, 16, room));
        assertEquals("recvmsg(unix:pair, SCM_RIGHTS): Message too long (EMSGSIZE) — the peer sent more file descriptors"
                + " than fit (at most 1); they were closed", ex.getMessage());
        assertEquals(0, pair[1].receivedFdCount());
    }
}

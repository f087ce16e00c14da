package dev.framebridge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hot path allocates nothing: after warm-up (so the JIT has compiled the downcall chains), thousands
 * of writev + read + epoll_wait + eventfd signal/drain cycles must leave the thread's allocated-bytes
 * counter (HotSpot's TLAB accounting) practically unchanged. The best of several rounds is taken so a
 * round that overlaps a late compilation does not count; a real per-call allocation would show in every
 * round as at least 16 bytes per call, i.e. tens of kilobytes.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SteadyStateAllocationTest {
    private static final int WARM_UP = 60_000;
    private static final int CALLS = 5_000;
    private static final int ROUNDS = 5;
    /** Bytes a round may allocate in total: well under one byte per call. */
    private static final long BOUND = 512;

    private final Arena arena = Arena.ofShared();
    private NativeSocket[] pair;
    private Epoll epoll;
    private EventFd wake;

    @AfterEach
    void closeEverything() {
        if (pair != null) {
            pair[0].close();
            pair[1].close();
        }
        if (epoll != null) {
            epoll.close();
        }
        if (wake != null) {
            wake.close();
        }
        arena.close();
    }

    @Test
    void readWritevEpollAndEventFdAllocateNothingInSteadyState() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        mx.setThreadAllocatedMemoryEnabled(true);

        pair = NativeSocket.pair();
        epoll = new Epoll(4);
        wake = new EventFd();
        epoll.add(pair[1].fd(), LibC.EPOLLIN);
        epoll.add(wake.fd(), LibC.EPOLLIN);
        MemorySegment header = arena.allocate(36);
        MemorySegment body = arena.allocate(4096);
        MemorySegment in = arena.allocate(8192);
        GatherList out = new GatherList(4);

        long moved = cycles(WARM_UP, header, body, in, out);
        assertEquals((long) WARM_UP * (36 + 1000), moved, "every byte written must be read back");

        long best = Long.MAX_VALUE;
        StringBuilder rounds = new StringBuilder();
        for (int r = 0; r < ROUNDS; r++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            cycles(CALLS, header, body, in, out);
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            rounds.append(allocated).append(' ');
            best = Math.min(best, allocated);
        }
        System.out.println("steady-state allocation per round of " + CALLS + " cycles (bytes): " + rounds);
        assertTrue(best <= BOUND, "hot path allocates: best round " + best + " bytes for " + CALLS
                + " cycles; all rounds: " + rounds);
    }

    /** One cycle: gathering write of header + 1000 bytes, epoll_wait, read it all back, signal and drain. */
    private long cycles(int n, MemorySegment header, MemorySegment body, MemorySegment in, GatherList out)
            throws Exception {
        long moved = 0;
        for (int i = 0; i < n; i++) {
            out.clear().add(header, 0, 36).add(body, i & 1023, 1000);
            while (!out.isEmpty()) {
                pair[0].writev(out);
            }
            wake.signal();
            int ready = epoll.wait(1000);
            if (ready < 1) {
                throw new AssertionError("socket not readable after a write");
            }
            long want = 1036;
            while (want > 0) {
                long got = pair[1].read(in, 0, want);
                if (got > 0) {
                    want -= got;
                    moved += got;
                }
            }
            wake.drain();
        }
        return moved;
    }
}

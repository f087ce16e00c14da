package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The blocking client connect with a deadline: drives a {@link ConnectAttempt} (the same phases an event loop
 * drives without blocking) with {@code poll} on its one socket. Setup-time code.
 */
final class Connector {
    private Connector() {
    }

    static NativeSocket connect(Endpoint endpoint, Duration timeout) throws IOException {
        ConnectAttempt attempt = ConnectAttempt.start(endpoint, timeout, System.nanoTime());
        try (Arena arena = Arena.ofConfined()) {
            Errno e = new Errno();
            MemorySegment pfd = arena.allocate(LibCLayouts.pollfd);
            pfd.set(JAVA_INT, LibCLayouts.POLLFD_FD, attempt.fd());
            while (!attempt.done()) {
                long now = System.nanoTime();
                if (attempt.deadline() - now <= 0) {
                    throw attempt.timedOut();
                }
                int ready = 0;
                int interest = attempt.interest();
                int waitMs = remainingMs(attempt.wakeAt(), now);
                if (interest == 0) {
                    sleepMs(Math.max(1, waitMs), endpoint);
                } else {
                    pfd.set(JAVA_SHORT, LibCLayouts.POLLFD_EVENTS, (short) interest);
                    pfd.set(JAVA_SHORT, LibCLayouts.POLLFD_REVENTS, (short) 0);
                    int n = LibC.poll(e, pfd, 1, waitMs);
                    if (n < 0 && e.get() != LibC.EINTR) {
                        throw e.exception("poll(" + endpoint + ")");
                    }
                    if (n <= 0) {
                        continue; // timeout or signal: the deadline check above decides
                    }
                    ready = pfd.get(JAVA_SHORT, LibCLayouts.POLLFD_REVENTS) & 0xFFFF;
                }
                attempt.advance(ready, System.nanoTime());
            }
            return attempt.socket();
        } catch (IOException | RuntimeException ex) {
            attempt.close();
            throw ex;
        }
    }

    private static void sleepMs(int ms, Endpoint endpoint) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("connect(" + endpoint + ") interrupted", ie);
        }
    }

    /** Whole milliseconds from {@code now} until {@code at}, rounded up so a wait never ends just short of it. */
    static int remainingMs(long at, long now) {
        long left = (at - now + 999_999L) / 1_000_000L;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }
}

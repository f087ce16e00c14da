package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A non-blocking eventfd: how another thread (an encode agent with an answer ready, or shutdown) wakes
 * the I/O agent parked in {@link Epoll#wait(int)}. Register {@link #fd()} for EPOLLIN; {@link #signal()}
 * from any thread; {@link #drain()} on the owner thread when it fires.
 */
public final class EventFd implements AutoCloseable {
    private final int fd;
    private final Errno errno = new Errno();
    /** The constant 1 that signal() writes; read-only after construction, so any thread may use it. */
    private final MemorySegment one;
    /** Where drain() reads the counter; owner thread only. */
    private final MemorySegment counter;
    private volatile boolean open = true;

    public EventFd() throws ErrnoException {
        this.fd = LibC.eventfd(errno, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0) {
            throw errno.exception("eventfd", "out of file descriptors? raise ulimit -n");
        }
        Arena arena = Arena.ofAuto();
        this.one = arena.allocate(JAVA_LONG);
        this.one.set(JAVA_LONG, 0, 1L);
        this.counter = arena.allocate(JAVA_LONG);
    }

    public int fd() {
        return fd;
    }

    /**
     * Wakes the owner; callable from any thread, allocation-free. Uses a write without errno capture so
     * signalling threads need no capture segment: the only failures are a closed fd or a counter already
     * at its maximum — and then a wakeup is pending anyway.
     *
     * @return false if the write failed (closed, or a wakeup already pending at the counter's limit)
     */
    public boolean signal() {
        return open && LibC.writeIgnoringErrno(fd, one.address(), Long.BYTES) == Long.BYTES;
    }

    /** Resets the counter; owner thread. @return signals since the last drain, 0 if none */
    public long drain() throws ErrnoException {
        while (true) {
            long n = LibC.read(errno, fd, counter.address(), Long.BYTES);
            if (n == Long.BYTES) {
                return counter.get(JAVA_LONG, 0);
            }
            int e = errno.get();
            if (e == LibC.EAGAIN) {
                return 0;
            }
            if (e != LibC.EINTR) {
                throw errno.exception("read(eventfd)");
            }
        }
    }

    /** Resets the counter without capturing errno (allocation-free on any call site); owner thread. */
    public void drainQuietly() {
        LibC.readIgnoringErrno(fd, counter.address(), Long.BYTES);
    }

    /** Closes the fd. Stop the signalling threads first: a number closed here may be reused by another file. */
    @Override
    public void close() {
        if (open) {
            open = false;
            LibC.close(errno, fd);
        }
    }
}

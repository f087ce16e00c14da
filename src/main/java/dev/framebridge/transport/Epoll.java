package dev.framebridge.transport;

import static dev.framebridge.ffi.LibCLayouts.EPOLL_EVENT_DATA;
import static dev.framebridge.ffi.LibCLayouts.EPOLL_EVENT_EVENTS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An epoll set with a preallocated event array, for the I/O agent's idle strategy: spin on
 * {@code wait(0)}, then park in {@code wait(timeout)}. {@link #wait(int)} allocates nothing; read the
 * results with {@link #events(int)} and {@link #data(int)} / {@link #fd(int)}. One owner thread.
 *
 * <p>Each registration carries a 64-bit {@code data} word returned with its events: by default the fd
 * itself, or any token (a session index, say) through {@link #add(int, int, long)}.
 */
public final class Epoll implements AutoCloseable {
    private static final long EVENT_SIZE = LibCLayouts.epoll_event.byteSize();

    private final int epfd;
    private final int capacity;
    private final Errno errno = new Errno();
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private boolean open = true;

    /** @param capacity most events one {@link #wait(int)} returns */
    public Epoll(int capacity) throws ErrnoException {
        if (capacity < 1) {
            throw new IllegalArgumentException("epoll capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.epfd = LibC.epoll_create1(errno, LibC.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw errno.exception("epoll_create1", "out of file descriptors? raise ulimit -n");
        }
        Arena arena = Arena.ofAuto();
        this.events = arena.allocate(EVENT_SIZE * capacity, 8);
        this.ctlEvent = arena.allocate(LibCLayouts.epoll_event);
    }

    public int fd() {
        return epfd;
    }

    /** Watches {@code fd} for {@code events} (EPOLLIN, EPOLLOUT, ...); the data word is the fd. */
    public void add(int fd, int events) throws ErrnoException {
        add(fd, events, fd);
    }

    public void add(int fd, int events, long data) throws ErrnoException {
        control(LibC.EPOLL_CTL_ADD, fd, events, data, "EPOLL_CTL_ADD");
    }

    /** Changes what {@code fd} is watched for (e.g. add EPOLLOUT while a write is pending). */
    public void modify(int fd, int events) throws ErrnoException {
        modify(fd, events, fd);
    }

    public void modify(int fd, int events, long data) throws ErrnoException {
        control(LibC.EPOLL_CTL_MOD, fd, events, data, "EPOLL_CTL_MOD");
    }

    public void remove(int fd) throws ErrnoException {
        if (LibC.epoll_ctl(errno, epfd, LibC.EPOLL_CTL_DEL, fd, ctlEvent) < 0) {
            throw errno.exception("epoll_ctl(EPOLL_CTL_DEL, fd " + fd + ")");
        }
    }

    private void control(int op, int fd, int ev, long data, String opName) throws ErrnoException {
        ctlEvent.set(JAVA_INT, EPOLL_EVENT_EVENTS, ev);
        ctlEvent.set(JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA, data);
        if (LibC.epoll_ctl(errno, epfd, op, fd, ctlEvent) < 0) {
            throw errno.exception("epoll_ctl(" + opName + ", fd " + fd + ")");
        }
    }

    /**
     * Waits up to {@code timeoutMs} (0 = poll, -1 = forever) for readiness.
     *
     * @return how many events are ready (indices 0 to n-1); 0 on timeout or when a signal interrupted the wait
     */
    public int wait(int timeoutMs) throws ErrnoException {
        int n = LibC.epoll_wait(errno, epfd, events, capacity, timeoutMs);
        if (n >= 0) {
            return n;
        }
        if (errno.get() == LibC.EINTR) {
            return 0;
        }
        throw errno.exception("epoll_wait");
    }

    /**
     * Like {@link #wait(int)} for parking: never allocates, even from a call site the JIT has not optimised, because
     * it does not capture errno. Any failure (EINTR, or a closed set during shutdown) reads as "nothing ready".
     */
    public int park(int timeoutMs) {
        int n = LibC.epollWaitIgnoringErrno(epfd, events.address(), capacity, timeoutMs);
        return Math.max(n, 0);
    }

    /** The ready events of result {@code i}: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP bits. */
    public int events(int i) {
        return events.get(JAVA_INT, i * EVENT_SIZE + EPOLL_EVENT_EVENTS);
    }

    /** The data word registered with the fd of result {@code i}. */
    public long data(int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + EPOLL_EVENT_DATA);
    }

    /** The fd of result {@code i}, for registrations made with the fd as data ({@link #add(int, int)}). */
    public int fd(int i) {
        return (int) data(i);
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            LibC.close(errno, epfd);
        }
    }
}

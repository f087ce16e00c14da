package dev.framebridge.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * A preallocated {@code errno} capture segment ({@link Linker.Option#captureCallState(String...)}).
 *
 * <p>Every {@link LibC} call that reports failure through errno takes one of these, so a hot call
 * ({@code recv}, {@code sendmsg}, {@code epoll_wait}) allocates nothing. A holder belongs to one thread
 * at a time — its owner (a socket, an epoll set, an agent) — because the kernel's errno is written
 * into it by the call; two threads sharing one would read each other's errors.
 */
public final class Errno {
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    private final MemorySegment state;

    public Errno() {
        // An automatic arena: the 4-byte-ish segment lives exactly as long as its owner object.
        this.state = Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /** The capture segment, passed as the leading argument of capturing downcalls. */
    public MemorySegment state() {
        return state;
    }

    /** The errno of the last failed call made with this holder. */
    public int get() {
        return (int) ERRNO.get(state, 0L);
    }

    /** An exception for the last failed call, e.g. {@code connect(unix:/tmp/x): No such file or directory (ENOENT)}. */
    public ErrnoException exception(String call) {
        return new ErrnoException(call, get(), null);
    }

    /** As {@link #exception(String)} with a sentence saying how to fix it appended. */
    public ErrnoException exception(String call, String hint) {
        return new ErrnoException(call, get(), hint);
    }

    /** The symbolic name of an errno value ({@code ENOENT}), or {@code errno N} for ones we do not name. */
    public static String name(int errno) {
        return switch (errno) {
            case LibC.EPERM -> "EPERM";
            case LibC.ENOENT -> "ENOENT";
            case LibC.EINTR -> "EINTR";
            case LibC.EBADF -> "EBADF";
            case LibC.EAGAIN -> "EAGAIN";
            case LibC.ENOMEM -> "ENOMEM";
            case LibC.EACCES -> "EACCES";
            case LibC.EEXIST -> "EEXIST";
            case LibC.ENODEV -> "ENODEV";
            case LibC.ENOTDIR -> "ENOTDIR";
            case LibC.ENOTTY -> "ENOTTY";
            case LibC.EINVAL -> "EINVAL";
            case LibC.ENFILE -> "ENFILE";
            case LibC.EMFILE -> "EMFILE";
            case LibC.EPIPE -> "EPIPE";
            case LibC.ENAMETOOLONG -> "ENAMETOOLONG";
            case LibC.ENOTSOCK -> "ENOTSOCK";
            case LibC.EMSGSIZE -> "EMSGSIZE";
            case LibC.EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case LibC.EAFNOSUPPORT -> "EAFNOSUPPORT";
            case LibC.EADDRINUSE -> "EADDRINUSE";
            case LibC.EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case LibC.ENETUNREACH -> "ENETUNREACH";
            case LibC.ECONNABORTED -> "ECONNABORTED";
            case LibC.ECONNRESET -> "ECONNRESET";
            case LibC.ENOBUFS -> "ENOBUFS";
            case LibC.ENOTCONN -> "ENOTCONN";
            case LibC.ETIMEDOUT -> "ETIMEDOUT";
            case LibC.ECONNREFUSED -> "ECONNREFUSED";
            case LibC.EHOSTUNREACH -> "EHOSTUNREACH";
            case LibC.EALREADY -> "EALREADY";
            case LibC.EINPROGRESS -> "EINPROGRESS";
            case LibC.ESPIPE -> "ESPIPE";
            case LibC.ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }
}

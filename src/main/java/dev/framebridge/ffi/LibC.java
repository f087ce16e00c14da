package dev.framebridge.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The libc calls framebridge uses (Linux, glibc or musl, 64-bit): sockets, fd passing, epoll, eventfd,
 * poll, fcntl, anonymous memory mappings and a few file calls. One {@code static final MethodHandle} per function, linked once from
 * the default lookup; each wrapper is a plain {@code invokeExact} returning the raw C result
 * ({@code -1} on failure, errno then in the caller's {@link Errno}). Policy (retry on EINTR, EAGAIN as
 * "not now", exceptions) lives in the transport classes, not here.
 *
 * <p>Hot calls ({@link #recv}, {@link #send}, {@link #read}, {@link #write}) take the buffer as a raw
 * {@code long} address so the caller can point anywhere inside an off-heap segment without creating a
 * slice: a slice is an object, and the I/O loop must allocate nothing per call. Callers bounds-check
 * against the segment first.
 *
 * <p>Constant values are the Linux ones and are compared with the headers by {@code LibCLayoutTest}.
 */
public final class LibC {
    private LibC() {
    }

    // --- address families, socket types, options -------------------------------------------------
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SCM_RIGHTS = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // --- fcntl ------------------------------------------------------------------------------------
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_NONBLOCK = 0x800;
    /** File seals (memfd): add seals / read the seals a file carries. */
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    /** No further seals may be added. */
    public static final int F_SEAL_SEAL = 0x1;
    /** The file cannot shrink: a mapping of it can never fault with SIGBUS. */
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int F_SEAL_GROW = 0x4;
    public static final int F_SEAL_WRITE = 0x8;

    // --- files, memfd, mmap -----------------------------------------------------------------------
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int SEEK_SET = 0;
    public static final int SEEK_END = 2;
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_ALLOW_SEALING = 0x2;
    public static final int MAP_SHARED = 0x1;
    /** statx: describe the file {@code fd} itself (empty path). */
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int S_IFMT = 0xF000;
    public static final int S_IFREG = 0x8000;

    // --- epoll, eventfd, poll ---------------------------------------------------------------------
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 0x80000000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // --- memory mapping (sys/mman.h) ---------------------------------------------------------------
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    /** What mmap(2) returns on failure: {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    // --- errno ------------------------------------------------------------------------------------
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int ENOTTY = 25;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ESPIPE = 29;
    public static final int ENOSYS = 38;

    // --- linking ----------------------------------------------------------------------------------
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * A C pointer that a hot call takes as a raw {@code long} address (see the class comment): the same register
     * as a pointer; the name tells {@code LibCLayoutTest} to compare it with the prototype's pointer parameter.
     */
    static final String RAW_ADDRESS_NAME = "raw address";
    private static final ValueLayout.OfLong RAW_ADDRESS = JAVA_LONG.withName(RAW_ADDRESS_NAME);

    /** One linked function: its symbol, descriptor and first variadic argument (-1: not variadic). */
    record Binding(String symbol, FunctionDescriptor descriptor, int firstVariadicArg) {
    }

    /** Every function linked below, in order, for LibCLayoutTest to compare with the C prototypes. */
    private static final List<Binding> BINDINGS = new ArrayList<>();

    static List<Binding> bindings() {
        PoolCalls.ensureLinked();
        return List.copyOf(BINDINGS);
    }

    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... options) {
        return link(name, fd, -1, options);
    }

    private static MethodHandle link(String name, FunctionDescriptor fd, int firstVariadicArg, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new NativeLibraryMissing(
                "the C library has no " + name + " — framebridge needs Linux with glibc or musl"));
        BINDINGS.add(new Binding(name, fd, firstVariadicArg));
        if (firstVariadicArg >= 0) {
            Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
            all[options.length] = Linker.Option.firstVariadicArg(firstVariadicArg);
            options = all;
        }
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return link(name, fd, CAPTURE_ERRNO);
    }

    private static final FunctionDescriptor INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_FD_ADDR_ADDR = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor INT_FD_ADDR_LEN = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = errnoCall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = errnoCall("bind", INT_FD_ADDR_LEN);
    private static final MethodHandle LISTEN = errnoCall("listen", INT_INT_INT);
    private static final MethodHandle ACCEPT4 = errnoCall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = errnoCall("connect", INT_FD_ADDR_LEN);
    private static final MethodHandle RECV = errnoCall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, RAW_ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = errnoCall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, RAW_ADDRESS, JAVA_LONG, JAVA_INT));
    private static final FunctionDescriptor READ_WRITE = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, RAW_ADDRESS, JAVA_LONG);
    private static final MethodHandle READ = errnoCall("read", READ_WRITE);
    private static final MethodHandle WRITE = errnoCall("write", READ_WRITE);
    /** write(2) without errno capture: callable from any thread without a capture segment of its own. */
    private static final MethodHandle WRITE_NO_ERRNO = link("write", READ_WRITE);
    // Without errno capture: for cold call sites on hot threads (parking), where the capture segment's slice
    // is only scalar-replaced once the call site is C2-compiled, which a rarely-run path may never be.
    private static final MethodHandle READ_NO_ERRNO = link("read", READ_WRITE);
    private static final MethodHandle EPOLL_WAIT_NO_ERRNO = link("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, RAW_ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITEV = errnoCall("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = errnoCall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = errnoCall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", INT_INT);
    private static final MethodHandle SHUTDOWN = errnoCall("shutdown", INT_INT_INT);
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** fcntl(int, int, ...) is variadic: called as such even with no variadic argument (the ABI may differ). */
    private static final MethodHandle FCNTL = link("fcntl", INT_INT_INT, 2, CAPTURE_ERRNO);
    /** The third argument is passed as a variadic int. */
    private static final MethodHandle FCNTL_INT = link("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2, CAPTURE_ERRNO);
    private static final MethodHandle EPOLL_CREATE1 = errnoCall("epoll_create1", INT_INT);
    private static final MethodHandle EPOLL_CTL = errnoCall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = errnoCall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", INT_INT_INT);
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", INT_FD_ADDR_ADDR);
    private static final MethodHandle GETPEERNAME = errnoCall("getpeername", INT_FD_ADDR_ADDR);
    private static final MethodHandle UNLINK = errnoCall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CHMOD = errnoCall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle STRERROR = link("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    // Addresses as raw longs, like recv/send: the caller wraps the mapping in a segment of its own size once.
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(RAW_ADDRESS, RAW_ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, RAW_ADDRESS, JAVA_LONG));
    private static final MethodHandle GETPAGESIZE = link("getpagesize", FunctionDescriptor.of(JAVA_INT));

    /**
     * Calls only buffer pools (frames by reference) use, linked on first use so that a C library without one of them
     * (memfd_create and statx need glibc 2.27/2.28) fails those pools with a message, not every socket call.
     */
    private static final class PoolCalls {
        static final MethodHandle MEMFD_CREATE = errnoCall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle FTRUNCATE = errnoCall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
        static final MethodHandle LSEEK = errnoCall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
        /** open is variadic: the mode is passed as a variadic int. */
        static final MethodHandle OPEN = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2,
                CAPTURE_ERRNO);
        static final MethodHandle STATX = errnoCall("statx",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        /** ioctl is variadic: the argument is a pointer, passed as a raw address in the variadic position. */
        static final MethodHandle IOCTL_PTR = link("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, RAW_ADDRESS),
                2, CAPTURE_ERRNO);

        static void ensureLinked() {
            // class initialisation links the handles above
        }
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(call + " threw " + t, t);
    }

    // --- sockets ----------------------------------------------------------------------------------
    public static int socket(Errno e, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(e.state(), domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected("socket", t);
        }
    }

    /** @param fds two ints, filled with the connected pair */
    public static int socketpair(Errno e, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) SOCKETPAIR.invokeExact(e.state(), domain, type, protocol, fds);
        } catch (Throwable t) {
            throw unexpected("socketpair", t);
        }
    }

    public static int bind(Errno e, int fd, MemorySegment addr, int addrLen) {
        try {
            return (int) BIND.invokeExact(e.state(), fd, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected("bind", t);
        }
    }

    public static int listen(Errno e, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(e.state(), fd, backlog);
        } catch (Throwable t) {
            throw unexpected("listen", t);
        }
    }

    /** @param addr a sockaddr_storage-sized buffer, @param addrLen a socklen_t holding its size on entry */
    public static int accept4(Errno e, int fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(e.state(), fd, addr, addrLen, flags);
        } catch (Throwable t) {
            throw unexpected("accept4", t);
        }
    }

    public static int connect(Errno e, int fd, MemorySegment addr, int addrLen) {
        try {
            return (int) CONNECT.invokeExact(e.state(), fd, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected("connect", t);
        }
    }

    /** recv(2) into the raw address {@code buf}; hot path. */
    public static long recv(Errno e, int fd, long buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(e.state(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected("recv", t);
        }
    }

    /** send(2) from the raw address {@code buf}; hot path. */
    public static long send(Errno e, int fd, long buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(e.state(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw unexpected("send", t);
        }
    }

    public static long read(Errno e, int fd, long buf, long len) {
        try {
            return (long) READ.invokeExact(e.state(), fd, buf, len);
        } catch (Throwable t) {
            throw unexpected("read", t);
        }
    }

    public static long write(Errno e, int fd, long buf, long len) {
        try {
            return (long) WRITE.invokeExact(e.state(), fd, buf, len);
        } catch (Throwable t) {
            throw unexpected("write", t);
        }
    }

    /** write(2) for callers on arbitrary threads that only need the result, not errno (eventfd wakeups). */
    public static long writeIgnoringErrno(int fd, long buf, long len) {
        try {
            return (long) WRITE_NO_ERRNO.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw unexpected("write", t);
        }
    }

    /** read(2) returning only the result (-1 on any error), for draining an eventfd on the parking path. */
    public static long readIgnoringErrno(int fd, long buf, long len) {
        try {
            return (long) READ_NO_ERRNO.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw unexpected("read", t);
        }
    }

    /** epoll_wait(2) returning only the result (-1 on any error, EINTR included), for parking. */
    public static int epollWaitIgnoringErrno(int epfd, long events, int maxEvents, int timeoutMs) {
        try {
            return (int) EPOLL_WAIT_NO_ERRNO.invokeExact(epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw unexpected("epoll_wait", t);
        }
    }

    public static long writev(Errno e, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) WRITEV.invokeExact(e.state(), fd, iov, iovcnt);
        } catch (Throwable t) {
            throw unexpected("writev", t);
        }
    }

    public static long sendmsg(Errno e, int fd, MemorySegment msghdr, int flags) {
        try {
            return (long) SENDMSG.invokeExact(e.state(), fd, msghdr, flags);
        } catch (Throwable t) {
            throw unexpected("sendmsg", t);
        }
    }

    public static long recvmsg(Errno e, int fd, MemorySegment msghdr, int flags) {
        try {
            return (long) RECVMSG.invokeExact(e.state(), fd, msghdr, flags);
        } catch (Throwable t) {
            throw unexpected("recvmsg", t);
        }
    }

    /** {@code open(path, flags)} without O_CREAT (a device node such as a DRM render node): the fd or -1. */
    public static int open(Errno e, MemorySegment path, int flags) {
        return open(e, path, flags, 0);
    }

    public static int close(Errno e, int fd) {
        try {
            return (int) CLOSE.invokeExact(e.state(), fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    public static int shutdown(Errno e, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(e.state(), fd, how);
        } catch (Throwable t) {
            throw unexpected("shutdown", t);
        }
    }

    public static int setsockopt(Errno e, int fd, int level, int name, MemorySegment value, int valueLen) {
        try {
            return (int) SETSOCKOPT.invokeExact(e.state(), fd, level, name, value, valueLen);
        } catch (Throwable t) {
            throw unexpected("setsockopt", t);
        }
    }

    public static int getsockopt(Errno e, int fd, int level, int name, MemorySegment value, MemorySegment valueLen) {
        try {
            return (int) GETSOCKOPT.invokeExact(e.state(), fd, level, name, value, valueLen);
        } catch (Throwable t) {
            throw unexpected("getsockopt", t);
        }
    }

    public static int getsockname(Errno e, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return (int) GETSOCKNAME.invokeExact(e.state(), fd, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected("getsockname", t);
        }
    }

    public static int getpeername(Errno e, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return (int) GETPEERNAME.invokeExact(e.state(), fd, addr, addrLen);
        } catch (Throwable t) {
            throw unexpected("getpeername", t);
        }
    }

    // --- fcntl ------------------------------------------------------------------------------------
    /** fcntl(fd, cmd) — commands without an argument, such as F_GETFL. */
    public static int fcntl(Errno e, int fd, int cmd) {
        try {
            return (int) FCNTL.invokeExact(e.state(), fd, cmd);
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
    }

    /** fcntl(fd, cmd, arg) — commands with an int argument, such as F_SETFL. */
    public static int fcntl(Errno e, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL_INT.invokeExact(e.state(), fd, cmd, arg);
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
    }

    // --- epoll, eventfd, poll ---------------------------------------------------------------------
    public static int epoll_create1(Errno e, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(e.state(), flags);
        } catch (Throwable t) {
            throw unexpected("epoll_create1", t);
        }
    }

    public static int epoll_ctl(Errno e, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(e.state(), epfd, op, fd, event);
        } catch (Throwable t) {
            throw unexpected("epoll_ctl", t);
        }
    }

    public static int epoll_wait(Errno e, int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        try {
            return (int) EPOLL_WAIT.invokeExact(e.state(), epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw unexpected("epoll_wait", t);
        }
    }

    public static int eventfd(Errno e, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(e.state(), initval, flags);
        } catch (Throwable t) {
            throw unexpected("eventfd", t);
        }
    }

    public static int poll(Errno e, MemorySegment fds, long nfds, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(e.state(), fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw unexpected("poll", t);
        }
    }

    // --- memfd, mmap, statx, ioctl (buffer pools) --------------------------------------------------
    /** @param name a NUL-terminated name (shown in /proc/PID/fd as {@code /memfd:NAME}) */
    public static int memfd_create(Errno e, MemorySegment name, int flags) {
        try {
            return (int) PoolCalls.MEMFD_CREATE.invokeExact(e.state(), name, flags);
        } catch (Throwable t) {
            throw unexpected("memfd_create", t);
        }
    }

    public static int ftruncate(Errno e, int fd, long length) {
        try {
            return (int) PoolCalls.FTRUNCATE.invokeExact(e.state(), fd, length);
        } catch (Throwable t) {
            throw unexpected("ftruncate", t);
        }
    }

    public static long lseek(Errno e, int fd, long offset, int whence) {
        try {
            return (long) PoolCalls.LSEEK.invokeExact(e.state(), fd, offset, whence);
        } catch (Throwable t) {
            throw unexpected("lseek", t);
        }
    }

    /** @param path a NUL-terminated path */
    public static int open(Errno e, MemorySegment path, int flags, int mode) {
        try {
            return (int) PoolCalls.OPEN.invokeExact(e.state(), path, flags, mode);
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
    }

    /** statx(2) into a {@link LibCLayouts#statx}-sized buffer; with {@link #AT_EMPTY_PATH} and "" it describes {@code dirfd}. */
    public static int statx(Errno e, int dirfd, MemorySegment path, int flags, int mask, MemorySegment statxbuf) {
        try {
            return (int) PoolCalls.STATX.invokeExact(e.state(), dirfd, path, flags, mask, statxbuf);
        } catch (Throwable t) {
            throw unexpected("statx", t);
        }
    }

    /** ioctl(fd, request, argp) with a pointer argument given as a raw address (no segment per call). */
    public static int ioctl(Errno e, int fd, long request, long argp) {
        try {
            return (int) PoolCalls.IOCTL_PTR.invokeExact(e.state(), fd, request, argp);
        } catch (Throwable t) {
            throw unexpected("ioctl", t);
        }
    }

    // --- files ------------------------------------------------------------------------------------
    /** @param path a NUL-terminated path */
    public static int unlink(Errno e, MemorySegment path) {
        try {
            return (int) UNLINK.invokeExact(e.state(), path);
        } catch (Throwable t) {
            throw unexpected("unlink", t);
        }
    }

    /** @param path a NUL-terminated path, @param mode permission bits such as 0600 */
    public static int chmod(Errno e, MemorySegment path, int mode) {
        try {
            return (int) CHMOD.invokeExact(e.state(), path, mode);
        } catch (Throwable t) {
            throw unexpected("chmod", t);
        }
    }

    // --- memory mapping ---------------------------------------------------------------------------
    /** mmap(2) with raw addresses; returns {@link #MAP_FAILED} on failure (errno in {@code e}). */
    public static long mmap(Errno e, long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) MMAP.invokeExact(e.state(), addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
    }

    public static int munmap(Errno e, long addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(e.state(), addr, length);
        } catch (Throwable t) {
            throw unexpected("munmap", t);
        }
    }

    /** The size of a memory page (4096 on most machines; 16 or 64 KiB on some ARM kernels). */
    public static int getpagesize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw unexpected("getpagesize", t);
        }
    }

    // --- the same calls for callers holding segments (the guest-side DRM client) ------------------------------
    /** ioctl(fd, request, arg) with {@code arg} the request's struct. */
    public static int ioctl(Errno e, int fd, long request, MemorySegment arg) {
        return ioctl(e, fd, request, arg.address());
    }

    /** mmap(NULL, length, …) as a segment of {@code length} bytes; on failure one of 0 bytes at {@link #MAP_FAILED}. */
    public static MemorySegment mmap(Errno e, long length, int prot, int flags, int fd, long offset) {
        long at = mmap(e, 0, length, prot, flags, fd, offset);
        return MemorySegment.ofAddress(at).reinterpret(at == MAP_FAILED ? 0 : length);
    }

    public static int munmap(Errno e, MemorySegment mapping, long length) {
        return munmap(e, mapping.address(), length);
    }

    /** The C library's description of an errno value, e.g. "No such file or directory". Not for hot paths. */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            if (text.equals(MemorySegment.NULL)) {
                return "errno " + errno;
            }
            // strerror returns a NUL-terminated string of unknown length; read up to the NUL.
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw unexpected("strerror", t);
        }
    }
}

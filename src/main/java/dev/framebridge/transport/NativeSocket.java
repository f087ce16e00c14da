package dev.framebridge.transport;

import static dev.framebridge.ffi.LibCLayouts.CMSG_DATA;
import static dev.framebridge.ffi.LibCLayouts.CMSG_LEN_FIELD;
import static dev.framebridge.ffi.LibCLayouts.CMSG_LEVEL;
import static dev.framebridge.ffi.LibCLayouts.CMSG_TYPE;
import static dev.framebridge.ffi.LibCLayouts.IOV_BASE;
import static dev.framebridge.ffi.LibCLayouts.IOV_LEN;
import static dev.framebridge.ffi.LibCLayouts.MSG_CONTROL;
import static dev.framebridge.ffi.LibCLayouts.MSG_CONTROLLEN;
import static dev.framebridge.ffi.LibCLayouts.MSG_FLAGS;
import static dev.framebridge.ffi.LibCLayouts.MSG_IOV;
import static dev.framebridge.ffi.LibCLayouts.MSG_IOVLEN;
import static dev.framebridge.ffi.LibCLayouts.POLLFD_EVENTS;
import static dev.framebridge.ffi.LibCLayouts.POLLFD_FD;
import static dev.framebridge.ffi.LibCLayouts.POLLFD_REVENTS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected, non-blocking stream socket (Unix, TCP, vsock or hybrid vsock), owned by one thread —
 * normally the I/O agent. A character device that carries a byte stream, such as a guest's virtio-serial port, can
 * stand in for a client's socket ({@link #openStreamDevice}): read(2)/write(2) instead of recv/send, no fd passing.
 *
 * <p>{@link #read}, {@link #write} and {@link #writev} are the hot path: they go straight between the
 * kernel and off-heap memory, never block, and allocate nothing (their capture segment, msghdr and
 * pollfd are preallocated here). "Not now" is a return value (0), end of stream is -1, and only real
 * failures throw an {@link ErrnoException} naming the call and the peer.
 */
public final class NativeSocket implements AutoCloseable {
    /** Most file descriptors one {@link #sendWithFds}/{@link #readWithFds} carries (4 DMA-BUF planes, doubled). */
    public static final int MAX_PASSED_FDS = 8;

    private static final long MSGHDR_AT = 0;
    private static final long CONTROL_AT = LibCLayouts.msghdr.byteSize();
    private static final long CONTROL_SIZE = LibCLayouts.cmsgSpace((long) MAX_PASSED_FDS * Integer.BYTES);
    private static final long IOV_AT = CONTROL_AT + CONTROL_SIZE;
    private static final long POLLFD_AT = IOV_AT + LibCLayouts.iovec.byteSize();
    private static final long SCRATCH_SIZE = POLLFD_AT + LibCLayouts.pollfd.byteSize();

    /** {@link #settle}'s "not now" (EAGAIN) and "call again" (EINTR); every kernel count is ≥ 0. */
    private static final long WOULD_BLOCK = -2;
    private static final long INTERRUPTED = -3;

    private final int fd;
    private final String peer;
    private final Errno errno = new Errno();
    /** msghdr | control buffer | one iovec | pollfd, allocated once. */
    private final MemorySegment scratch;
    private final MemorySegment msghdr;
    private final MemorySegment pollfd;
    private final MemorySegment control;
    private final String recvCall;
    private final String sendCall;
    private final String sendFdsCall;
    private final String recvFdsCall;
    /** A character device, not a socket: read(2)/write(2), and nothing socket-only. */
    private final boolean device;
    private int receivedFdCount;
    private boolean open = true;

    NativeSocket(int fd, String peer) {
        this(fd, peer, false);
    }

    private NativeSocket(int fd, String peer, boolean device) {
        this.fd = fd;
        this.peer = peer;
        this.device = device;
        this.scratch = Arena.ofAuto().allocate(SCRATCH_SIZE, 8);
        this.msghdr = scratch.asSlice(MSGHDR_AT, LibCLayouts.msghdr);
        this.pollfd = scratch.asSlice(POLLFD_AT, LibCLayouts.pollfd);
        this.control = scratch.asSlice(CONTROL_AT, CONTROL_SIZE);
        this.pollfd.set(JAVA_INT, POLLFD_FD, fd);
        this.recvCall = (device ? "read(" : "recv(") + peer + ")";
        this.sendCall = (device ? "write(" : "send(") + peer + ")";
        this.sendFdsCall = "sendmsg(" + peer + ", SCM_RIGHTS)";
        this.recvFdsCall = "recvmsg(" + peer + ")";
    }

    /**
     * Connects, waiting at most {@code timeout}: TCP with TCP_NODELAY and a 1 MiB send buffer (as vsockenc
     * does), Unix, vsock, or hybrid vsock (Unix connect plus the {@code CONNECT port} handshake).
     * The socket returned is non-blocking.
     */
    public static NativeSocket connect(Endpoint endpoint, Duration timeout) throws IOException {
        return Connector.connect(endpoint, timeout);
    }

    /** A connected pair of Unix stream sockets (socketpair), for in-process producers and tests. */
    public static NativeSocket[] pair() throws ErrnoException {
        Errno e = new Errno();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (LibC.socketpair(e, LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0, fds) < 0) {
                throw e.exception("socketpair(AF_UNIX)", "out of file descriptors? raise ulimit -n");
            }
            return new NativeSocket[] {
                new NativeSocket(fds.getAtIndex(JAVA_INT, 0), "unix:pair"),
                new NativeSocket(fds.getAtIndex(JAVA_INT, 1), "unix:pair")
            };
        }
    }

    /**
     * Opens a character device that carries a byte stream to the host as a client's connection: a virtio-serial
     * port in a guest ({@code /dev/vport0p1}, {@code /dev/virtio-ports/NAME}), whose other end QEMU connects to a
     * host Unix socket ({@code -chardev socket,path=…}), so a guest with no network and no vsock still reaches
     * {@code serve}. Non-blocking like a socket; {@link #writev}, fd passing and half-close are refused (they are
     * socket calls).
     */
    public static NativeSocket openStreamDevice(Path device) throws ErrnoException {
        Errno e = new Errno();
        try (Arena arena = Arena.ofConfined()) {
            int fd = LibC.open(e, arena.allocateFrom(device.toString()),
                    LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                throw e.exception("open(" + device + ")", "is it a virtio-serial port (module virtio_console, QEMU"
                        + " -device virtserialport,name=…) and readable and writable by this user?");
            }
            return new NativeSocket(fd, "device:" + device, true);
        }
    }

    public int fd() {
        return fd;
    }

    /** Who is on the other end: {@code unix}, {@code tcp:127.0.0.1:41234}, {@code vsock:3:1234}, or the endpoint dialled. */
    public String peer() {
        return peer;
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * Reads up to {@code len} bytes into {@code dst} at {@code offset}.
     *
     * @return bytes read; 0 when nothing is available now (EAGAIN) or {@code len} is 0; -1 at end of stream
     */
    public long read(MemorySegment dst, long offset, long len) throws ErrnoException {
        long address = nativeAddress(dst, offset, len);
        if (len == 0) {
            return 0;
        }
        long n;
        do {
            n = settle(device ? LibC.read(errno, fd, address, len) : LibC.recv(errno, fd, address, len, 0), recvCall);
        } while (n == INTERRUPTED);
        return n == WOULD_BLOCK ? 0 : n == 0 ? -1 : n;
    }

    /**
     * Writes up to {@code len} bytes from {@code src} at {@code offset} (MSG_NOSIGNAL: a closed peer is an
     * EPIPE exception, not a signal).
     *
     * @return bytes written, possibly fewer than {@code len}; 0 when the socket buffer is full (EAGAIN)
     */
    public long write(MemorySegment src, long offset, long len) throws ErrnoException {
        long address = nativeAddress(src, offset, len);
        if (len == 0) {
            return 0;
        }
        long n;
        do {
            n = settle(device ? LibC.write(errno, fd, address, len) : LibC.send(errno, fd, address, len, LibC.MSG_NOSIGNAL),
                    sendCall);
        } while (n == INTERRUPTED);
        return n == WOULD_BLOCK ? 0 : n;
    }

    /**
     * One gathering write of what remains in {@code list}; the list is advanced past what the kernel took,
     * so calling again resumes a partial write. It is sendmsg(2) rather than writev(2) because only
     * sendmsg takes MSG_NOSIGNAL.
     *
     * @return bytes written; 0 when the socket buffer is full (EAGAIN) or the list is empty
     */
    public long writev(GatherList list) throws ErrnoException {
        requireSocket("a gathering write");
        if (list.isEmpty()) {
            return 0;
        }
        list.checkAlive();
        msghdr.fill((byte) 0);
        msghdr.set(JAVA_LONG, MSG_IOV, list.pendingAddress());
        msghdr.set(JAVA_LONG, MSG_IOVLEN, list.pendingEntries());
        long n;
        do {
            n = settle(LibC.sendmsg(errno, fd, msghdr, LibC.MSG_NOSIGNAL), sendCall);
        } while (n == INTERRUPTED);
        if (n == WOULD_BLOCK) {
            return 0;
        }
        list.advance(n);
        return n;
    }

    /**
     * Sends bytes with file descriptors attached (SCM_RIGHTS; Unix sockets only), e.g. DMA-BUF fds.
     * The fds arrive with the first byte, so send at least one byte.
     *
     * @return bytes written (possibly partial: send the rest with {@link #write}); 0 on EAGAIN, fds not sent
     */
    public long sendWithFds(MemorySegment src, long offset, long len, int[] fds, int fdCount) throws ErrnoException {
        requireSocket("passing file descriptors");
        long address = nativeAddress(src, offset, len);
        if (len < 1) {
            throw new IllegalArgumentException("file descriptors travel with data: send at least one byte");
        }
        if (fdCount < 1 || fdCount > MAX_PASSED_FDS || fdCount > fds.length) {
            throw new IllegalArgumentException("fdCount " + fdCount + " is outside 1-" + MAX_PASSED_FDS);
        }
        long dataBytes = (long) fdCount * Integer.BYTES;
        prepareMessage(address, len, LibCLayouts.cmsgSpace(dataBytes));
        control.set(JAVA_LONG, CMSG_LEN_FIELD, LibCLayouts.cmsgLen(dataBytes));
        control.set(JAVA_INT, CMSG_LEVEL, LibC.SOL_SOCKET);
        control.set(JAVA_INT, CMSG_TYPE, LibC.SCM_RIGHTS);
        for (int i = 0; i < fdCount; i++) {
            control.set(JAVA_INT, CMSG_DATA + (long) i * Integer.BYTES, fds[i]);
        }
        long n;
        do {
            n = settle(LibC.sendmsg(errno, fd, msghdr, LibC.MSG_NOSIGNAL), sendFdsCall);
        } while (n == INTERRUPTED);
        return n == WOULD_BLOCK ? 0 : n;
    }

    /**
     * Reads like {@link #read} and collects file descriptors sent with {@link #sendWithFds} into
     * {@code fdsOut} (close-on-exec set); {@link #receivedFdCount()} says how many. The caller owns them.
     */
    public long readWithFds(MemorySegment dst, long offset, long len, int[] fdsOut) throws ErrnoException {
        requireSocket("receiving file descriptors");
        long address = nativeAddress(dst, offset, len);
        receivedFdCount = 0;
        if (len == 0) {
            return 0;
        }
        prepareMessage(address, len, CONTROL_SIZE); // the kernel updates the msghdr only when the call succeeds
        long n;
        do {
            n = settle(LibC.recvmsg(errno, fd, msghdr, LibC.MSG_CMSG_CLOEXEC), recvFdsCall);
        } while (n == INTERRUPTED);
        if (n == WOULD_BLOCK) {
            return 0;
        }
        boolean truncated = (msghdr.get(JAVA_INT, MSG_FLAGS) & LibC.MSG_CTRUNC) != 0;
        long controlLen = msghdr.get(JAVA_LONG, MSG_CONTROLLEN);
        int got = 0;
        int dropped = 0;
        if (controlLen >= CMSG_DATA && control.get(JAVA_INT, CMSG_LEVEL) == LibC.SOL_SOCKET
                && control.get(JAVA_INT, CMSG_TYPE) == LibC.SCM_RIGHTS) {
            int count = (int) ((control.get(JAVA_LONG, CMSG_LEN_FIELD) - CMSG_DATA) / Integer.BYTES);
            for (int i = 0; i < count; i++) {
                int received = control.get(JAVA_INT, CMSG_DATA + (long) i * Integer.BYTES);
                if (got < fdsOut.length) {
                    fdsOut[got++] = received;
                } else {
                    LibC.close(errno, received); // never leak what the caller has no room for
                    dropped++;
                }
            }
        }
        receivedFdCount = got;
        if (truncated || dropped > 0) {
            for (int i = 0; i < got; i++) {
                LibC.close(errno, fdsOut[i]);
            }
            receivedFdCount = 0;
            throw new ErrnoException("recvmsg(" + peer + ", SCM_RIGHTS)", LibC.EMSGSIZE,
                    "the peer sent more file descriptors than fit (at most " + Math.min(fdsOut.length, MAX_PASSED_FDS)
                            + "); they were closed");
        }
        return n == 0 ? -1 : n;
    }

    /** How many file descriptors the last {@link #readWithFds} received. */
    public int receivedFdCount() {
        return receivedFdCount;
    }

    /** Waits until readable (or hung up); false on timeout. For blocking-style clients, not the I/O agent. */
    public boolean awaitReadable(long timeoutMs) throws ErrnoException {
        return await(LibC.POLLIN, timeoutMs);
    }

    /** Waits until writable; false on timeout. */
    public boolean awaitWritable(long timeoutMs) throws ErrnoException {
        return await(LibC.POLLOUT, timeoutMs);
    }

    private boolean await(short events, long timeoutMs) throws ErrnoException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            pollfd.set(JAVA_SHORT, POLLFD_EVENTS, events);
            pollfd.set(JAVA_SHORT, POLLFD_REVENTS, (short) 0);
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int n = LibC.poll(errno, pollfd, 1, (int) Math.min(Integer.MAX_VALUE, left));
            if (n > 0) {
                return true; // readiness or an error/hang-up: the next call reports which
            }
            if (n == 0) {
                if (deadline - System.nanoTime() <= 0) {
                    return false;
                }
                continue;
            }
            if (errno.get() != LibC.EINTR) {
                throw errno.exception("poll(" + peer + ")");
            }
        }
    }

    /** Half-close: the peer reads end of stream after what was already sent. */
    public void shutdownOutput() throws ErrnoException {
        requireSocket("a half-close");
        if (LibC.shutdown(errno, fd, LibC.SHUT_WR) < 0 && errno.get() != LibC.ENOTCONN) {
            throw errno.exception("shutdown(" + peer + ", SHUT_WR)");
        }
    }

    /** Closes the descriptor; idempotent. */
    @Override
    public void close() {
        if (open) {
            open = false;
            LibC.close(errno, fd); // Linux releases the fd even when close reports EINTR; never retry
        }
    }

    @Override
    public String toString() {
        return "NativeSocket[fd=" + fd + ", peer=" + peer + (open ? "" : ", closed") + "]";
    }

    /**
     * The one reading of a data-moving call's result, shared by every call site, each of which is the same loop:
     * {@code do n = settle(LibC.call(errno, ...), name); while (n == INTERRUPTED);}. A byte count passes as is;
     * EINTR says call again; EAGAIN is {@link #WOULD_BLOCK}; anything else throws an exception naming the call. The
     * downcall stays at its call site and this method is tiny: no lambda, nothing allocated, and C2 still removes
     * the errno capture's temporaries (a shared method that made the downcalls itself cost 40 bytes per frame).
     */
    private long settle(long result, String call) throws ErrnoException {
        if (result >= 0) {
            return result;
        }
        int e = errno.get();
        if (e == LibC.EINTR) {
            return INTERRUPTED;
        }
        if (e == LibC.EAGAIN) {
            return WOULD_BLOCK;
        }
        throw errno.exception(call);
    }

    private void requireSocket(String what) throws ErrnoException {
        if (device) {
            throw new ErrnoException(what + " on " + peer, LibC.ENOTSOCK,
                    "a character device carries bytes only; use a Unix socket for this");
        }
    }

    private void prepareMessage(long address, long len, long controlLen) {
        msghdr.fill((byte) 0);
        scratch.set(JAVA_LONG, IOV_AT + IOV_BASE, address);
        scratch.set(JAVA_LONG, IOV_AT + IOV_LEN, len);
        msghdr.set(JAVA_LONG, MSG_IOV, scratch.address() + IOV_AT);
        msghdr.set(JAVA_LONG, MSG_IOVLEN, 1);
        msghdr.set(JAVA_LONG, MSG_CONTROL, scratch.address() + CONTROL_AT);
        msghdr.set(JAVA_LONG, MSG_CONTROLLEN, controlLen);
    }

    /** Bounds- and liveness-checks before handing the kernel a raw address inside {@code segment}. */
    private long nativeAddress(MemorySegment segment, long offset, long len) {
        Objects.checkFromIndexSize(offset, len, segment.byteSize());
        if (!segment.isNative()) {
            throw new IllegalArgumentException("socket I/O needs a native (off-heap) segment");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("socket I/O on memory whose arena is closed");
        }
        if (!open) {
            throw new IllegalStateException(peer + ": socket is closed");
        }
        return segment.address() + offset;
    }
}

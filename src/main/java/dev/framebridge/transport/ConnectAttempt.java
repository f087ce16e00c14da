package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import dev.framebridge.ffi.Vsock;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connect in progress that never blocks, so an event loop can run many at once beside its other work: the
 * socket is non-blocking from the start, {@code connect} answers EINPROGRESS, and the owner waits for
 * {@link #interest()} on {@link #fd()} (in its own epoll set, or {@code poll}) and calls {@link #advance} with what
 * was ready, until {@link #done()}. The deadline is the owner's to check ({@link #wakeAt()}, {@link #timedOut()}).
 *
 * <p>Phases: the kernel's connect (SO_ERROR says how it ended); for a Unix listener whose backlog is full, where the
 * kernel answers EAGAIN instead of waiting, a retry every {@link #BACKLOG_RETRY_NANOS}; and for hybrid vsock the
 * {@code CONNECT port} / {@code OK port} exchange with the VMM. {@link Connector} drives the same phases with
 * {@code poll}, so the blocking connect and the relay's cannot disagree. Setup-time code: it allocates.
 */
public final class ConnectAttempt implements AutoCloseable {
    /** A Unix listener with a full backlog is alive: try again this often until the deadline. */
    static final long BACKLOG_RETRY_NANOS = 2_000_000L;
    /** Longest answer line we accept from a VMM ("OK 1073741824\n" is 14 bytes). */
    private static final int MAX_HANDSHAKE_LINE = 64;

    private enum Phase { CONNECTING, BACKLOG_FULL, SENDING_HANDSHAKE, READING_HANDSHAKE, DONE, FAILED }

    private final Endpoint endpoint;
    private final Duration timeout;
    private final long deadline;
    private final Errno errno = new Errno();
    private final MemorySegment addr;
    private final int addrLen;
    private final NativeSocket socket;
    private final boolean unix;
    private Phase phase;
    private long retryAt;
    private MemorySegment handshake;
    private int handshakeSent;
    private int handshakeRequestLength;
    private int lineLength;
    private boolean handedOver;

    private ConnectAttempt(Endpoint endpoint, Duration timeout, long deadline, MemorySegment addr, int addrLen,
                           NativeSocket socket) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.deadline = deadline;
        this.addr = addr;
        this.addrLen = addrLen;
        this.socket = socket;
        this.unix = endpoint instanceof Endpoint.Unix || endpoint instanceof Endpoint.HybridVsock;
    }

    /**
     * Opens a non-blocking socket and starts connecting; goes as far as it can without waiting (a Unix connect
     * usually completes at once). Failures known at once (no socket file, refused) are thrown here.
     *
     * @param nowNs the caller's clock ({@link System#nanoTime()}); the deadline is {@code nowNs + timeout}
     */
    public static ConnectAttempt start(Endpoint endpoint, Duration timeout, long nowNs) throws IOException {
        MemorySegment addr = Arena.ofAuto().allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
        int family;
        int len;
        switch (endpoint) {
            case Endpoint.Unix u -> {
                family = LibC.AF_UNIX;
                len = SocketAddresses.unix(addr, u.path());
            }
            case Endpoint.HybridVsock h -> {
                family = LibC.AF_UNIX;
                len = SocketAddresses.unix(addr, h.udsPath());
            }
            case Endpoint.Tcp t -> {
                InetAddress ip = SocketAddresses.resolve(t);
                family = SocketAddresses.family(t, ip);
                len = SocketAddresses.inet(addr, ip, t.port());
            }
            case Endpoint.Vsock v -> {
                family = Vsock.AF_VSOCK;
                len = SocketAddresses.vsock(addr, v.cid(), v.port());
            }
        }
        String what = endpoint.toString();
        Errno e = new Errno();
        int fd = LibC.socket(e, family, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw e.exception("socket(" + what + ")", family == Vsock.AF_VSOCK
                    ? "this kernel has no AF_VSOCK transport (load vsock and virtio/vhost vsock modules)" : null);
        }
        NativeSocket socket = new NativeSocket(fd, what);
        ConnectAttempt a = new ConnectAttempt(endpoint, timeout, nowNs + timeout.toNanos(), addr, len, socket);
        try {
            if (endpoint instanceof Endpoint.Tcp) {
                SocketOptions.tcpNoDelay(e, fd, what);
                SocketOptions.setInt(e, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, SocketOptions.CLIENT_SEND_BUFFER,
                        "setsockopt(" + what + ", SO_SNDBUF)");
            }
            a.tryConnect(nowNs);
            return a;
        } catch (IOException | RuntimeException ex) {
            a.close();
            throw ex;
        }
    }

    public int fd() {
        return socket.fd();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * What to wait for on {@link #fd()}: EPOLLOUT while the kernel connects or the handshake is being sent, EPOLLIN
     * while the VMM's answer is awaited, 0 while waiting only for time (a full Unix backlog: do not watch the fd
     * then — an unconnected Unix socket polls as hung up). The EPOLL and POLL bits are the same numbers.
     */
    public int interest() {
        return switch (phase) {
            case CONNECTING, SENDING_HANDSHAKE -> LibC.EPOLLOUT;
            case READING_HANDSHAKE -> LibC.EPOLLIN;
            default -> 0;
        };
    }

    /** When the owner must call {@link #advance} even if nothing is ready: the next retry, or the deadline. */
    public long wakeAt() {
        return phase == Phase.BACKLOG_FULL && retryAt - deadline < 0 ? retryAt : deadline;
    }

    public long deadline() {
        return deadline;
    }

    public boolean done() {
        return phase == Phase.DONE;
    }

    /** The phase, for logs: "connecting", "waiting for room in the listener's backlog", "handshaking". */
    public String state() {
        return switch (phase) {
            case CONNECTING -> "connecting";
            case BACKLOG_FULL -> "waiting for room in the listener's backlog";
            case SENDING_HANDSHAKE, READING_HANDSHAKE -> "waiting for the VMM's answer to CONNECT";
            case DONE -> "connected";
            case FAILED -> "failed";
        };
    }

    /**
     * Moves on with what is ready.
     *
     * @param ready the events that were ready on {@link #fd()} (EPOLL or POLL bits; 0 when woken by time)
     * @return true once connected: take the socket with {@link #socket()}
     * @throws IOException how the connect failed, naming the endpoint and the likely cause
     */
    public boolean advance(int ready, long nowNs) throws IOException {
        try {
            switch (phase) {
                case CONNECTING -> {
                    int err = SocketOptions.pendingError(errno, socket.fd(), endpoint.toString());
                    if (err != 0) {
                        throw new ErrnoException("connect(" + endpoint + ")", err, hint(err, timeout));
                    }
                    if ((ready & LibC.EPOLLOUT) != 0) {
                        connected();
                    } else if ((ready & (LibC.EPOLLERR | LibC.EPOLLHUP)) != 0) {
                        throw new ErrnoException("connect(" + endpoint + ")", LibC.ECONNRESET,
                                "the connection hung up before it was established");
                    }
                }
                case BACKLOG_FULL -> {
                    if (nowNs - retryAt >= 0) {
                        tryConnect(nowNs);
                    }
                }
                case SENDING_HANDSHAKE, READING_HANDSHAKE -> handshake();
                case DONE -> {
                }
                case FAILED -> throw new IllegalStateException("connect(" + endpoint + ") already failed");
            }
            return phase == Phase.DONE;
        } catch (IOException | RuntimeException e) {
            phase = Phase.FAILED;
            throw e;
        }
    }

    /** The error to report when {@link #deadline()} passed before {@link #done()}, worded for the phase. */
    public IOException timedOut() {
        return switch (phase) {
            case BACKLOG_FULL -> new ErrnoException("connect(" + endpoint + ")", LibC.EAGAIN, hint(LibC.EAGAIN, timeout));
            case SENDING_HANDSHAKE, READING_HANDSHAKE -> {
                Endpoint.HybridVsock h = (Endpoint.HybridVsock) endpoint;
                yield new ErrnoException("connect(" + h + ")", LibC.ETIMEDOUT, "no answer to \"CONNECT "
                        + port(h) + "\" within " + timeout.toMillis() + " ms — is the guest up and listening on vsock"
                        + " port " + port(h) + "?");
            }
            default -> new ErrnoException("connect(" + endpoint + ")", LibC.ETIMEDOUT, hint(LibC.ETIMEDOUT, timeout));
        };
    }

    /** The connected socket, now owned by the caller. */
    public NativeSocket socket() {
        if (phase != Phase.DONE) {
            throw new IllegalStateException("connect(" + endpoint + ") is " + state());
        }
        handedOver = true;
        return socket;
    }

    /** Abandons the attempt (closing its socket) unless the socket was handed over. */
    @Override
    public void close() {
        if (!handedOver) {
            socket.close();
        }
    }

    private void tryConnect(long nowNs) throws IOException {
        if (LibC.connect(errno, socket.fd(), addr, addrLen) == 0) {
            connected();
            return;
        }
        int err = errno.get();
        if (err == LibC.EINPROGRESS || err == LibC.EINTR) {
            phase = Phase.CONNECTING; // continues in the background; writability (or SO_ERROR) tells the outcome
        } else if (err == LibC.EAGAIN && unix) {
            phase = Phase.BACKLOG_FULL;
            retryAt = nowNs + BACKLOG_RETRY_NANOS;
        } else {
            throw new ErrnoException("connect(" + endpoint + ")", err, hint(err, timeout));
        }
    }

    private void connected() throws IOException {
        if (endpoint instanceof Endpoint.HybridVsock h) {
            byte[] request = ("CONNECT " + port(h) + "\n").getBytes(StandardCharsets.US_ASCII);
            handshake = Arena.ofAuto().allocate(Math.max(request.length, MAX_HANDSHAKE_LINE));
            MemorySegment.copy(request, 0, handshake, JAVA_BYTE, 0, request.length);
            handshakeRequestLength = request.length;
            phase = Phase.SENDING_HANDSHAKE;
            handshake();
        } else {
            phase = Phase.DONE;
        }
    }

    /**
     * Firecracker / Cloud Hypervisor: after connecting to the VMM's Unix socket, ask for a guest port with
     * {@code CONNECT <port>\n}; the VMM answers {@code OK <host-side port>\n} once the guest accepted, or closes the
     * connection when nothing in the guest listens on that port. The answer is read one byte at a time: the guest's
     * data may follow the OK line at once and must stay in the socket.
     */
    private void handshake() throws IOException {
        Endpoint.HybridVsock h = (Endpoint.HybridVsock) endpoint;
        while (phase == Phase.SENDING_HANDSHAKE) {
            long n = socket.write(handshake, handshakeSent, handshakeRequestLength - handshakeSent);
            if (n == 0) {
                return;
            }
            handshakeSent += (int) n;
            if (handshakeSent == handshakeRequestLength) {
                phase = Phase.READING_HANDSHAKE;
            }
        }
        while (true) {
            if (lineLength == MAX_HANDSHAKE_LINE) {
                throw handshakeRefused(h, text(handshake, lineLength) + "...");
            }
            long n = socket.read(handshake, lineLength, 1);
            if (n < 0) {
                throw new IOException(h + ": the VMM closed the connection instead of answering \"CONNECT " + port(h)
                        + "\"" + (lineLength > 0 ? " (after \"" + text(handshake, lineLength) + "\")" : "")
                        + " — nothing in the guest listens on vsock port " + port(h)
                        + ", or " + h.udsPath() + " is not the VMM's vsock socket");
            }
            if (n == 0) {
                return;
            }
            if (handshake.get(JAVA_BYTE, lineLength) == '\n') {
                break;
            }
            lineLength++;
        }
        String line = text(handshake, lineLength);
        if (!line.matches("OK [0-9]{1,10}")) {
            throw handshakeRefused(h, line);
        }
        phase = Phase.DONE;
    }

    private static String port(Endpoint.HybridVsock h) {
        return Integer.toUnsignedString(h.port());
    }

    private static IOException handshakeRefused(Endpoint.HybridVsock h, String line) {
        return new IOException(h + ": the VMM answered \"" + line + "\" to \"CONNECT " + port(h)
                + "\" instead of \"OK <port>\" — is " + h.udsPath()
                + " a Firecracker / Cloud Hypervisor vsock socket, and is the guest listening on port " + port(h) + "?");
    }

    private static String text(MemorySegment buf, int len) {
        byte[] bytes = buf.asSlice(0, len).toArray(JAVA_BYTE);
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        }
        return sb.toString();
    }

    static String hint(int errno, Duration timeout) {
        return switch (errno) {
            case LibC.ENOENT -> "no socket at that path: is framebridge (or the VMM) running, and is the path right?";
            case LibC.ECONNREFUSED -> "nothing is listening there: start the listener or check the port / path";
            case LibC.EACCES, LibC.EPERM -> "permission denied: run as the socket's owner or a member of its group";
            case LibC.ETIMEDOUT -> "no answer within " + timeout.toMillis() + " ms";
            case LibC.EAGAIN -> "the listener's backlog stayed full for " + timeout.toMillis() + " ms";
            case LibC.ENODEV, LibC.EAFNOSUPPORT -> "this kernel has no vsock transport for that CID";
            case LibC.ENETUNREACH, LibC.EHOSTUNREACH -> "no route to that address";
            default -> null;
        };
    }
}

package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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
 * The client side: connect with a deadline (non-blocking connect, then poll for completion), and the
 * hybrid-vsock {@code CONNECT port} handshake. Setup-time code.
 */
final class Connector {
    private Connector() {
    }

    /** Longest answer line we accept from a VMM ("OK 1073741824\n" is 14 bytes). */
    private static final int MAX_HANDSHAKE_LINE = 64;

    static NativeSocket connect(Endpoint endpoint, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
            return switch (endpoint) {
                case Endpoint.Unix u -> dial(LibC.AF_UNIX, addr, SocketAddresses.unix(addr, u.path()), u.toString(),
                        deadline, timeout, false);
                case Endpoint.Tcp t -> {
                    InetAddress ip = SocketAddresses.resolve(t);
                    yield dial(SocketAddresses.family(t, ip), addr, SocketAddresses.inet(addr, ip, t.port()),
                            t.toString(), deadline, timeout, true);
                }
                case Endpoint.Vsock v -> dial(Vsock.AF_VSOCK, addr, SocketAddresses.vsock(addr, v.cid(), v.port()),
                        v.toString(), deadline, timeout, false);
                case Endpoint.HybridVsock h -> {
                    NativeSocket s = dial(LibC.AF_UNIX, addr, SocketAddresses.unix(addr, h.udsPath()), h.toString(),
                            deadline, timeout, false);
                    try {
                        hybridHandshake(s, h, deadline, timeout);
                        yield s;
                    } catch (IOException | RuntimeException e) {
                        s.close();
                        throw e;
                    }
                }
            };
        }
    }

    private static NativeSocket dial(int family, MemorySegment addr, int addrLen, String what, long deadline,
                                     Duration timeout, boolean tcp) throws IOException {
        Errno e = new Errno();
        int fd = LibC.socket(e, family, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw e.exception("socket(" + what + ")", family == Vsock.AF_VSOCK
                    ? "this kernel has no AF_VSOCK transport (load vsock and virtio/vhost vsock modules)" : null);
        }
        try {
            if (tcp) {
                SocketOptions.tcpNoDelay(e, fd, what);
                SocketOptions.setInt(e, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, SocketOptions.CLIENT_SEND_BUFFER,
                        "setsockopt(" + what + ", SO_SNDBUF)");
            }
            while (LibC.connect(e, fd, addr, addrLen) < 0) {
                int err = e.get();
                if (err == LibC.EINPROGRESS || err == LibC.EINTR) {
                    // connect continues in the background; poll for writability, then read its result
                    awaitConnected(e, fd, what, deadline, timeout);
                    break;
                }
                if (err == LibC.EAGAIN && family == LibC.AF_UNIX && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1); // Unix listener's backlog is full: it is alive, try again until the deadline
                    continue;
                }
                throw new ErrnoException("connect(" + what + ")", err, hint(err, timeout));
            }
            return new NativeSocket(fd, what);
        } catch (IOException | RuntimeException ex) {
            SocketOptions.closeQuietly(e, fd);
            throw ex;
        } catch (InterruptedException ie) {
            SocketOptions.closeQuietly(e, fd);
            Thread.currentThread().interrupt();
            throw new IOException("connect(" + what + ") interrupted", ie);
        }
    }

    private static void awaitConnected(Errno e, int fd, String what, long deadline, Duration timeout) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(LibCLayouts.pollfd);
            pfd.set(JAVA_INT, LibCLayouts.POLLFD_FD, fd);
            pfd.set(JAVA_SHORT, LibCLayouts.POLLFD_EVENTS, LibC.POLLOUT);
            while (true) {
                int n = LibC.poll(e, pfd, 1, remainingMs(deadline));
                if (n > 0) {
                    break;
                }
                if (n == 0) {
                    throw new ErrnoException("connect(" + what + ")", LibC.ETIMEDOUT, hint(LibC.ETIMEDOUT, timeout));
                }
                if (e.get() != LibC.EINTR) {
                    throw e.exception("poll(" + what + ")");
                }
            }
        }
        int err = SocketOptions.pendingError(e, fd, what);
        if (err != 0) {
            throw new ErrnoException("connect(" + what + ")", err, hint(err, timeout));
        }
    }

    /**
     * Firecracker / Cloud Hypervisor: after connecting to the VMM's Unix socket, ask for a guest port with
     * {@code CONNECT <port>\n}; the VMM answers {@code OK <host-side port>\n} once the guest accepted, or
     * closes the connection when nothing in the guest listens on that port.
     */
    static void hybridHandshake(NativeSocket s, Endpoint.HybridVsock h, long deadline, Duration timeout) throws IOException {
        String port = Integer.toUnsignedString(h.port());
        byte[] request = ("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(request.length, MAX_HANDSHAKE_LINE));
            MemorySegment.copy(request, 0, buf, JAVA_BYTE, 0, request.length);
            long sent = 0;
            while (sent < request.length) {
                long n = s.write(buf, sent, request.length - sent);
                if (n == 0 && !s.awaitWritable(remainingMs(deadline))) {
                    throw handshakeTimeout(h, port, timeout);
                }
                sent += n;
            }
            // one byte at a time: the guest's data may follow the OK line at once and must stay in the socket
            int len = 0;
            while (true) {
                if (len == MAX_HANDSHAKE_LINE) {
                    throw handshakeRefused(h, port, text(buf, len) + "...");
                }
                long n = s.read(buf, len, 1);
                if (n < 0) {
                    throw new IOException(h + ": the VMM closed the connection instead of answering \"CONNECT " + port
                            + "\"" + (len > 0 ? " (after \"" + text(buf, len) + "\")" : "")
                            + " — nothing in the guest listens on vsock port " + port
                            + ", or " + h.udsPath() + " is not the VMM's vsock socket");
                }
                if (n == 0) {
                    if (!s.awaitReadable(remainingMs(deadline))) {
                        throw handshakeTimeout(h, port, timeout);
                    }
                    continue;
                }
                if (buf.get(JAVA_BYTE, len) == '\n') {
                    break;
                }
                len++;
            }
            String line = text(buf, len);
            if (!line.matches("OK [0-9]{1,10}")) {
                throw handshakeRefused(h, port, line);
            }
        }
    }

    private static IOException handshakeRefused(Endpoint.HybridVsock h, String port, String line) {
        return new IOException(h + ": the VMM answered \"" + line + "\" to \"CONNECT " + port
                + "\" instead of \"OK <port>\" — is " + h.udsPath()
                + " a Firecracker / Cloud Hypervisor vsock socket, and is the guest listening on port " + port + "?");
    }

    private static IOException handshakeTimeout(Endpoint.HybridVsock h, String port, Duration timeout) {
        return new ErrnoException("connect(" + h + ")", LibC.ETIMEDOUT, "no answer to \"CONNECT " + port + "\" within "
                + timeout.toMillis() + " ms — is the guest up and listening on vsock port " + port + "?");
    }

    private static String text(MemorySegment buf, int len) {
        byte[] bytes = buf.asSlice(0, len).toArray(JAVA_BYTE);
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        }
        return sb.toString();
    }

    static int remainingMs(long deadline) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    private static String hint(int errno, Duration timeout) {
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

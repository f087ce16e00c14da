package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import dev.framebridge.ffi.Vsock;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;

/**
 * A listening, non-blocking socket. {@link #accept()} returns a connected {@link NativeSocket} or null
 * when nobody is waiting, so it can sit in the I/O agent's epoll set.
 *
 * <p>Unix sockets (and the hybrid-vsock {@code UDS_PATH_PORT} socket) are created with a restrictive
 * mode (0600 by default); an existing socket file is replaced only when nothing answers on it, and
 * the file is removed again on {@link #close()} if it is still ours. TCP listens with SO_REUSEADDR so
 * a restart does not wait out TIME_WAIT. A vsock listener may restrict peers to a CID allow-list.
 */
public final class SocketListener implements AutoCloseable {
    private final int fd;
    private final Endpoint endpoint;
    private final ListenOptions options;
    private final String unixPath;
    private final Object unixFileKey;
    private final boolean tcp;
    private final Set<Integer> allowedCids;
    private final Errno errno = new Errno();
    private final MemorySegment peerAddr;
    private final MemorySegment peerAddrLen;
    private final String acceptCall;
    private long rejectedPeers;
    /** Written (best effort) to a peer refused by the CID allow-list before it is closed; null: just close. */
    private MemorySegment refusal;
    private String lastRejectedPeer;
    private boolean open = true;

    private SocketListener(int fd, Endpoint endpoint, ListenOptions options, String unixPath, Object unixFileKey) {
        this.fd = fd;
        this.endpoint = endpoint;
        this.options = options;
        this.unixPath = unixPath;
        this.unixFileKey = unixFileKey;
        this.tcp = endpoint instanceof Endpoint.Tcp;
        this.allowedCids = endpoint instanceof Endpoint.Vsock ? options.vsockAllowedCids() : Set.of();
        Arena arena = Arena.ofAuto();
        this.peerAddr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
        this.peerAddrLen = arena.allocate(JAVA_INT);
        this.acceptCall = "accept4(" + endpoint + ")";
    }

    /** Binds and listens on {@code endpoint}; the exception says what is in the way and how to fix it. */
    public static SocketListener listen(Endpoint endpoint, ListenOptions options) throws IOException {
        return switch (endpoint) {
            case Endpoint.Unix u -> listenUnix(u, u.path(), options);
            case Endpoint.HybridVsock h -> listenUnix(h, h.listenPath(), options);
            case Endpoint.Tcp t -> listenTcp(t, options);
            case Endpoint.Vsock v -> listenVsock(v, options);
        };
    }

    private static SocketListener listenTcp(Endpoint.Tcp t, ListenOptions options) throws IOException {
        InetAddress ip = SocketAddresses.resolve(t);
        Errno e = new Errno();
        int fd = open(e, SocketAddresses.family(t, ip), t.toString());
        try (Arena arena = Arena.ofConfined()) {
            SocketOptions.setInt(e, fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1, "setsockopt(" + t + ", SO_REUSEADDR)");
            MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
            bindAndListen(e, fd, addr, SocketAddresses.inet(addr, ip, t.port()), t.toString(), options);
            String local = localName(e, fd, arena);
            int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
            return new SocketListener(fd, new Endpoint.Tcp(t.host(), port), options, null, null);
        } catch (IOException | RuntimeException ex) {
            SocketOptions.closeQuietly(e, fd);
            throw ex;
        }
    }

    /**
     * Receive room for each guest connection: one 1080p BGRA frame (8,294,400 bytes) fits, so vsockenc can hand the
     * kernel a whole frame while we encode the previous one. The kernel's default is 256 KiB: a 1080p frame then
     * crosses in ~32 credit round trips, each a wake-up on both sides. Accepted sockets inherit it.
     */
    static final long VSOCK_BUFFER_BYTES = 8L << 20;

    private static SocketListener listenVsock(Endpoint.Vsock v, ListenOptions options) throws IOException {
        Errno e = new Errno();
        int fd = open(e, Vsock.AF_VSOCK, v.toString());
        try (Arena arena = Arena.ofConfined()) {
            // the ceiling first: the size is clamped to it
            SocketOptions.setLong(e, fd, Vsock.AF_VSOCK, Vsock.SO_VM_SOCKETS_BUFFER_MAX_SIZE, VSOCK_BUFFER_BYTES,
                    "setsockopt(" + v + ", SO_VM_SOCKETS_BUFFER_MAX_SIZE)");
            SocketOptions.setLong(e, fd, Vsock.AF_VSOCK, Vsock.SO_VM_SOCKETS_BUFFER_SIZE, VSOCK_BUFFER_BYTES,
                    "setsockopt(" + v + ", SO_VM_SOCKETS_BUFFER_SIZE)");
            MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
            bindAndListen(e, fd, addr, SocketAddresses.vsock(addr, v.cid(), v.port()), v.toString(), options);
            String local = localName(e, fd, arena);
            int port = Integer.parseUnsignedInt(local.substring(local.lastIndexOf(':') + 1));
            return new SocketListener(fd, new Endpoint.Vsock(v.cid(), port), options, null, null);
        } catch (IOException | RuntimeException ex) {
            SocketOptions.closeQuietly(e, fd);
            throw ex;
        }
    }

    private static SocketListener listenUnix(Endpoint endpoint, String path, ListenOptions options) throws IOException {
        String what = endpoint instanceof Endpoint.HybridVsock ? endpoint + " (" + path + ")" : endpoint.toString();
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > LibCLayouts.SUN_PATH_MAX) {
            throw new IOException(what + ": the socket path is longer than the " + LibCLayouts.SUN_PATH_MAX
                    + " bytes sockaddr_un holds; choose a shorter path");
        }
        Path file = Path.of(path);
        removeStaleSocket(file, path, what);
        Errno e = new Errno();
        int fd = open(e, LibC.AF_UNIX, what);
        boolean bound = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
            int len = SocketAddresses.unix(addr, path);
            if (LibC.bind(e, fd, addr, len) < 0) {
                throw e.exception("bind(" + what + ")", bindHint(e.get(), path));
            }
            bound = true;
            // Set the mode before listen(): until then every connect is refused, so nobody slips in
            // through the umask's wider default.
            MemorySegment cpath = arena.allocateFrom(path);
            if (LibC.chmod(e, cpath, options.unixMode()) < 0) {
                throw e.exception("chmod(" + path + ", 0" + Integer.toOctalString(options.unixMode()) + ")");
            }
            if (options.unixGroup() != null) {
                setGroup(file, options.unixGroup(), what);
            }
            if (LibC.listen(e, fd, options.backlog()) < 0) {
                throw e.exception("listen(" + what + ")");
            }
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new SocketListener(fd, endpoint, options, path, key);
        } catch (IOException | RuntimeException ex) {
            SocketOptions.closeQuietly(e, fd);
            if (bound) {
                Files.deleteIfExists(file);
            }
            throw ex;
        }
    }

    /**
     * A socket file left by a process that died is replaced; one a live process still listens on is not.
     * The only reliable test is to connect: a stale file refuses (ECONNREFUSED).
     */
    private static void removeStaleSocket(Path file, String path, String what) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException(what + ": " + path + " exists and is not a socket; framebridge will not replace it"
                    + " — remove it or choose another path");
        }
        Errno e = new Errno();
        int probe = open(e, LibC.AF_UNIX, what);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
            int len = SocketAddresses.unix(addr, path);
            if (LibC.connect(e, probe, addr, len) == 0 || e.get() == LibC.EAGAIN || e.get() == LibC.EINPROGRESS) {
                throw new ErrnoException("bind(" + what + ")", LibC.EADDRINUSE, "another process is listening on "
                        + path + "; stop it or choose another path");
            }
            int err = e.get();
            if (err == LibC.ECONNREFUSED) {
                Files.deleteIfExists(file); // stale: nobody listens
            } else if (err != LibC.ENOENT) {
                throw new ErrnoException("connect(" + what + ")", err, "cannot tell whether the existing socket "
                        + path + " is in use; remove it yourself if it is stale");
            }
        } finally {
            SocketOptions.closeQuietly(e, probe);
        }
    }

    private static void setGroup(Path file, String group, String what) throws IOException {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            view.setGroup(file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException ex) {
            throw new IOException(what + ": there is no group \"" + group + "\" on this host — create it, or give"
                    + " --unix-group a group that exists and this user is a member of", ex);
        } catch (IOException ex) {
            throw new IOException(what + ": cannot give the socket to group \"" + group + "\" (" + ex.getMessage()
                    + ") — the group must exist and this user must be a member", ex);
        }
    }

    private static int open(Errno e, int family, String what) throws ErrnoException {
        int fd = LibC.socket(e, family, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw e.exception("socket(" + what + ")", family == Vsock.AF_VSOCK
                    ? "this kernel has no AF_VSOCK (on a host: modprobe vhost_vsock; in a guest: virtio vsock)"
                    : null);
        }
        return fd;
    }

    private static void bindAndListen(Errno e, int fd, MemorySegment addr, int len, String what, ListenOptions options)
            throws ErrnoException {
        if (LibC.bind(e, fd, addr, len) < 0) {
            throw e.exception("bind(" + what + ")", bindHint(e.get(), what));
        }
        if (LibC.listen(e, fd, options.backlog()) < 0) {
            throw e.exception("listen(" + what + ")");
        }
    }

    private static String bindHint(int errno, String what) {
        return switch (errno) {
            case LibC.EADDRINUSE -> "another process is using " + what + "; stop it or choose another address";
            case LibC.EACCES -> "no permission: ports below 1024 need privileges, Unix sockets a writable directory";
            case LibC.ENOENT -> "the directory of the socket path does not exist; create it first";
            case LibC.EADDRNOTAVAIL -> "that address is not on this machine (for vsock, use any or this machine's CID)";
            default -> null;
        };
    }

    private static String localName(Errno e, int fd, Arena arena) throws ErrnoException {
        MemorySegment addr = arena.allocate(LibCLayouts.SOCKADDR_STORAGE_SIZE, 8);
        MemorySegment len = arena.allocateFrom(JAVA_INT, (int) LibCLayouts.SOCKADDR_STORAGE_SIZE);
        if (LibC.getsockname(e, fd, addr, len) < 0) {
            throw e.exception("getsockname");
        }
        return SocketAddresses.describe(addr, len.get(JAVA_INT, 0));
    }

    public int fd() {
        return fd;
    }

    /** The endpoint actually bound: a TCP port 0 or vsock port any is replaced by the port the kernel chose. */
    public Endpoint endpoint() {
        return endpoint;
    }

    public ListenOptions options() {
        return options;
    }

    /**
     * Accepts one pending connection (non-blocking, close-on-exec, TCP_NODELAY on TCP), or returns null
     * when none is waiting. vsock peers outside the CID allow-list are closed at once and counted.
     */
    public NativeSocket accept() throws ErrnoException {
        while (true) {
            peerAddrLen.set(JAVA_INT, 0, (int) LibCLayouts.SOCKADDR_STORAGE_SIZE);
            int c = LibC.accept4(errno, fd, peerAddr, peerAddrLen, LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (c < 0) {
                int e = errno.get();
                if (e == LibC.EAGAIN) {
                    return null;
                }
                if (e == LibC.EINTR || e == LibC.ECONNABORTED) {
                    continue;
                }
                throw errno.exception(acceptCall, e == LibC.EMFILE || e == LibC.ENFILE
                        ? "out of file descriptors; raise ulimit -n or lower the session limit" : null);
            }
            String peer = SocketAddresses.describe(peerAddr, peerAddrLen.get(JAVA_INT, 0));
            if (!allowedCids.isEmpty() && !allowedCids.contains(peerAddr.get(JAVA_INT, Vsock.SVM_CID))) {
                if (refusal != null) {
                    LibC.send(errno, c, refusal.address(), refusal.byteSize(), LibC.MSG_NOSIGNAL | LibC.MSG_DONTWAIT);
                }
                SocketOptions.closeQuietly(errno, c);
                rejectedPeers++;
                lastRejectedPeer = peer;
                continue;
            }
            try {
                if (tcp) {
                    SocketOptions.tcpNoDelay(errno, c, peer);
                }
                if (options.sendBufferBytes() > 0) {
                    SocketOptions.setInt(errno, c, LibC.SOL_SOCKET, LibC.SO_SNDBUF, options.sendBufferBytes(),
                            "setsockopt(" + peer + ", SO_SNDBUF)");
                }
            } catch (ErrnoException ex) {
                SocketOptions.closeQuietly(errno, c);
                throw ex;
            }
            return new NativeSocket(c, peer);
        }
    }

    /**
     * The bytes a peer refused by the CID allow-list is sent before its connection is closed (an HXFR ERROR saying
     * why); the segment must outlive this listener.
     */
    public void refuseWith(MemorySegment message) {
        this.refusal = message;
    }

    /** vsock connections closed because their CID is not in the allow-list. */
    public long rejectedPeers() {
        return rejectedPeers;
    }

    /** The last peer refused by the allow-list, e.g. {@code vsock:7:1034}, or null. */
    public String lastRejectedPeer() {
        return lastRejectedPeer;
    }

    /** Closes the socket and removes the Unix socket file if it is still the one this listener created. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        LibC.close(errno, fd);
        if (unixPath != null) {
            Path file = Path.of(unixPath);
            try {
                Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                if (key != null && key.equals(unixFileKey)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException gone) {
                // already removed or replaced by someone else: not ours to delete
            }
        }
    }

    @Override
    public String toString() {
        return "SocketListener[" + endpoint + ", fd=" + fd + (open ? "" : ", closed") + "]";
    }
}

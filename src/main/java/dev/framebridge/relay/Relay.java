package dev.framebridge.relay;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.Epoll;
import dev.framebridge.transport.EventFd;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A byte relay between any two endpoints (TCP, Unix, vsock, hybrid vsock) — what socat did in the seed's chain,
 * plus the diagnosis socat could not give: bytes and HXFR messages per direction, half-closes passed on and
 * reported, and which side hung up. One thread, non-blocking sockets in one epoll set; each accepted client gets
 * its own connection to the target, made when it arrives.
 *
 * <p>The forwarding path allocates nothing per chunk: each direction has one off-heap buffer for the life of the
 * connection, read and written by address. Interest in EPOLLOUT is taken only while a direction has bytes the
 * kernel would not take, and a socket with nothing to wait for is left edge-triggered so a hang-up is reported
 * once rather than spinning the loop.
 */
public final class Relay implements AutoCloseable {
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;
    private static final long LISTENER = Long.MAX_VALUE;
    private static final long WAKE = Long.MAX_VALUE - 1;
    private static final int MAX_LINKS = 1024;

    private final SocketListener listener;
    private final Endpoint target;
    private final Duration connectTimeout;
    private final int bufferBytes;
    private final boolean trace;
    private final RelayLog log;
    private final Epoll epoll;
    private final EventFd wake;
    private final RelayLink[] links = new RelayLink[MAX_LINKS];
    private final List<RelayReport> finished = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private int nextId = 1;

    private Relay(SocketListener listener, Endpoint target, Duration connectTimeout, int bufferBytes, boolean trace,
                  RelayLog log, Epoll epoll, EventFd wake) {
        this.listener = listener;
        this.target = target;
        this.connectTimeout = connectTimeout;
        this.bufferBytes = bufferBytes;
        this.trace = trace;
        this.log = log;
        this.epoll = epoll;
        this.wake = wake;
    }

    /** Binds {@code listen}; nothing is forwarded until {@link #run()}. */
    public static Relay open(Endpoint listen, Endpoint target, Duration connectTimeout, int bufferBytes, boolean trace,
                             RelayLog log) throws IOException {
        SocketListener l = SocketListener.listen(listen, ListenOptions.defaults());
        Epoll epoll = null;
        EventFd wake = null;
        try {
            epoll = new Epoll(64);
            wake = new EventFd();
            epoll.add(l.fd(), LibC.EPOLLIN, LISTENER);
            epoll.add(wake.fd(), LibC.EPOLLIN, WAKE);
            return new Relay(l, target, connectTimeout, bufferBytes, trace, log, epoll, wake);
        } catch (IOException | RuntimeException e) {
            l.close();
            if (epoll != null) {
                epoll.close();
            }
            if (wake != null) {
                wake.close();
            }
            throw e;
        }
    }

    /** The endpoint bound (a TCP port 0 replaced by the port chosen). */
    public Endpoint listenEndpoint() {
        return listener.endpoint();
    }

    /** Connections that have ended, oldest first. Safe from any thread. */
    public List<RelayReport> finished() {
        return List.copyOf(finished);
    }

    /** Runs {@link #run()} on a new daemon thread. */
    public Thread startThread() {
        Thread t = new Thread(this::run, "framebridge-relay");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Forwards until {@link #close()}; then closes every connection (reporting each) and the listener. */
    public void run() {
        started = true;
        log.info("listening on " + listener.endpoint() + ", forwarding each connection to " + target);
        try {
            while (!stopping) {
                int n = epoll.wait(1_000);
                for (int i = 0; i < n; i++) {
                    long data = epoll.data(i);
                    if (data == LISTENER) {
                        acceptAll();
                    } else if (data != WAKE) {
                        int slot = (int) (data >>> 1);
                        RelayLink link = links[slot];
                        if (link != null) {
                            onEvent(slot, link, epoll.events(i), (data & 1) == 0 ? "client" : "target");
                        }
                    }
                }
            }
        } catch (ErrnoException e) {
            log.info("stopping on an error of the relay itself: " + e.getMessage());
        } finally {
            for (int slot = 0; slot < links.length; slot++) {
                if (links[slot] != null) {
                    end(slot, links[slot]);
                }
            }
            listener.close();
            epoll.close();
            wake.close();
            log.info("stopped after " + finished.size() + " connection(s)");
            stopped = true;
        }
    }

    private void onEvent(int slot, RelayLink link, int events, String side) throws ErrnoException {
        boolean alive = link.service(log);
        if (alive && (events & LibC.EPOLLERR) != 0) {
            link.hungUp(side);
            alive = false;
        } else if (alive && (events & LibC.EPOLLHUP) != 0) {
            RelayDirection fromSide = side.equals("client") ? link.up : link.down;
            RelayDirection toSide = side.equals("client") ? link.down : link.up;
            if (fromSide.fromEnded() && !toSide.done()) {
                link.hungUp(side); // it can no longer receive what the other side still sends
                alive = false;
            }
        }
        if (alive) {
            updateInterest(slot, link);
        } else {
            end(slot, link);
        }
    }

    private void updateInterest(int slot, RelayLink link) throws ErrnoException {
        int c = interest(link.up.wantsRead(), link.down.wantsWrite());
        if (c != link.clientInterest) {
            epoll.modify(link.client.fd(), c, (long) slot << 1);
            link.clientInterest = c;
        }
        int t = interest(link.down.wantsRead(), link.up.wantsWrite());
        if (t != link.targetInterest) {
            epoll.modify(link.target.fd(), t, ((long) slot << 1) | 1);
            link.targetInterest = t;
        }
    }

    private static int interest(boolean read, boolean write) {
        int mask = (read ? LibC.EPOLLIN : 0) | (write ? LibC.EPOLLOUT : 0);
        return mask == 0 ? LibC.EPOLLET : mask;
    }

    private void acceptAll() throws ErrnoException {
        NativeSocket client;
        while ((client = listener.accept()) != null) {
            int id = nextId++;
            int slot = freeSlot();
            if (slot < 0) {
                log.info("#" + id + " from " + client.peer() + " refused: " + MAX_LINKS + " connections are open");
                client.close();
                continue;
            }
            long t0 = System.nanoTime();
            NativeSocket server;
            try {
                server = NativeSocket.connect(target, connectTimeout);
            } catch (IOException | RuntimeException e) {
                log.info("#" + id + " from " + client.peer() + ": cannot reach the target " + target + " ("
                        + e.getMessage() + "); closing the client's connection, so it sees end of stream");
                client.close();
                continue;
            }
            RelayLink link = new RelayLink(id, client, server, bufferBytes, log, trace);
            links[slot] = link;
            log.info(String.format("#%d accepted %s, connected to %s in %.1f ms", id, client.peer(), target,
                    (System.nanoTime() - t0) / 1e6));
            epoll.add(client.fd(), LibC.EPOLLIN, (long) slot << 1);
            epoll.add(server.fd(), LibC.EPOLLIN, ((long) slot << 1) | 1);
            link.clientInterest = LibC.EPOLLIN;
            link.targetInterest = LibC.EPOLLIN;
            onEvent(slot, link, 0, "client");
        }
    }

    private int freeSlot() {
        for (int i = 0; i < links.length; i++) {
            if (links[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private void end(int slot, RelayLink link) {
        try {
            epoll.remove(link.client.fd());
            epoll.remove(link.target.fd());
        } catch (ErrnoException ignored) {
            // closing the fds below removes them from the set anyway
        }
        links[slot] = null;
        RelayReport report = link.report();
        finished.add(report);
        log.info("closed " + report);
        link.close();
    }

    /** Stops the relay from any thread and waits (up to 5 s) until its connections are closed and reported. */
    @Override
    public synchronized void close() {
        if (!started) {
            started = true; // never ran: nothing to wait for
            stopping = true;
            listener.close();
            epoll.close();
            wake.close();
            stopped = true;
            return;
        }
        stopping = true;
        if (stopped) {
            return;
        }
        wake.signal();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stopped && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

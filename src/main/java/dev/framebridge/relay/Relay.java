package dev.framebridge.relay;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.ConnectAttempt;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.Epoll;
import dev.framebridge.transport.EventFd;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A byte relay between any two endpoints (TCP, Unix, vsock, hybrid vsock) — what socat did in the seed's chain,
 * plus the diagnosis socat could not give: bytes and HXFR messages per direction, half-closes passed on and
 * reported, which side hung up, and a target that takes requests but sends nothing back, said while it happens.
 * One thread, non-blocking sockets in one epoll set; each accepted client gets its own connection to the target,
 * started when it arrives and completed in the same loop ({@link ConnectAttempt}), so a target slow to connect
 * holds up only the client waiting for it.
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
    /** Longest sleep in epoll_wait when no deadline is nearer. */
    private static final long IDLE_WAKE_NS = 1_000_000_000L;
    /** Requests unanswered this long (and no byte back) are reported, unless the caller says otherwise. */
    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofMillis(2500);

    private final SocketListener listener;
    private final Endpoint target;
    private final Duration connectTimeout;
    private final long silentAfterNs;
    private final int bufferBytes;
    private final boolean trace;
    private final RelayLog log;
    private final Epoll epoll;
    private final EventFd wake;
    private final RelayLink[] links = new RelayLink[MAX_LINKS];
    private final TargetConnect[] connecting = new TargetConnect[MAX_LINKS];
    private final List<RelayReport> finished = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private int nextId = 1;
    /** The nearest deadline of any connect or silence (a relay's clock value); recomputed by {@link #onTimers}. */
    private long timerDue;

    private Relay(SocketListener listener, Endpoint target, Duration connectTimeout, Duration silentAfter,
                  int bufferBytes, boolean trace, RelayLog log, Epoll epoll, EventFd wake) {
        this.listener = listener;
        this.target = target;
        this.connectTimeout = connectTimeout;
        this.silentAfterNs = silentAfter.toNanos();
        this.bufferBytes = bufferBytes;
        this.trace = trace;
        this.log = log;
        this.epoll = epoll;
        this.wake = wake;
    }

    /** As {@link #open(Endpoint, Endpoint, Duration, Duration, int, boolean, RelayLog)} with the default silence. */
    public static Relay open(Endpoint listen, Endpoint target, Duration connectTimeout, int bufferBytes, boolean trace,
                             RelayLog log) throws IOException {
        return open(listen, target, connectTimeout, DEFAULT_SILENT_AFTER, bufferBytes, trace, log);
    }

    /**
     * Binds {@code listen}; nothing is forwarded until {@link #run()}.
     *
     * @param silentAfter how long a request may go unanswered, with no byte back from the target, before the relay
     *                    says the target is silent
     */
    public static Relay open(Endpoint listen, Endpoint target, Duration connectTimeout, Duration silentAfter,
                             int bufferBytes, boolean trace, RelayLog log) throws IOException {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || silentAfter.isNegative() || silentAfter.isZero()) {
            throw new IllegalArgumentException("connect timeout and silence threshold must be positive, not "
                    + connectTimeout + " and " + silentAfter);
        }
        SocketListener l = SocketListener.listen(listen, ListenOptions.defaults());
        Epoll epoll = null;
        EventFd wake = null;
        try {
            epoll = new Epoll(64);
            wake = new EventFd();
            epoll.add(l.fd(), LibC.EPOLLIN, LISTENER);
            epoll.add(wake.fd(), LibC.EPOLLIN, WAKE);
            return new Relay(l, target, connectTimeout, silentAfter, bufferBytes, trace, log, epoll, wake);
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
        long now = System.nanoTime();
        timerDue = now + IDLE_WAKE_NS;
        try {
            while (!stopping) {
                int n = epoll.wait(waitMs(now));
                now = System.nanoTime(); // one clock reading per cycle, passed down
                for (int i = 0; i < n; i++) {
                    long data = epoll.data(i);
                    if (data == LISTENER) {
                        acceptAll(now);
                    } else if (data != WAKE) {
                        int slot = (int) (data >>> 1);
                        int events = epoll.events(i);
                        if (connecting[slot] != null) {
                            advanceConnect(slot, connecting[slot], events, now);
                        } else if (links[slot] != null) {
                            onEvent(slot, links[slot], events, (data & 1) == 0 ? "client" : "target", now);
                        }
                    }
                }
                if (now - timerDue >= 0) {
                    onTimers(now);
                }
            }
        } catch (ErrnoException e) {
            log.info("stopping on an error of the relay itself: " + e.getMessage());
        } finally {
            now = System.nanoTime();
            for (int slot = 0; slot < links.length; slot++) {
                if (links[slot] != null) {
                    end(slot, links[slot], now);
                }
                TargetConnect c = connecting[slot];
                if (c != null) {
                    connecting[slot] = null;
                    log.info("#" + c.id + " from " + c.client.peer() + ": relay stopped while " + c.attempt.state()
                            + " to " + target + "; closing the client's connection");
                    c.close();
                }
            }
            listener.close();
            epoll.close();
            wake.close();
            log.info("stopped after " + finished.size() + " connection(s)");
            stopped = true;
        }
    }

    /** Milliseconds until the nearest deadline, rounded up, at most {@link #IDLE_WAKE_NS}. */
    private int waitMs(long now) {
        long left = Math.min(timerDue - now, IDLE_WAKE_NS);
        return left <= 0 ? 0 : (int) ((left + 999_999L) / 1_000_000L);
    }

    private void noteDeadline(long at) {
        if (at - timerDue < 0) {
            timerDue = at;
        }
    }

    /** Connects due for a retry or past their deadline, silences due to be reported; then the next deadline. */
    private void onTimers(long now) throws ErrnoException {
        timerDue = now + IDLE_WAKE_NS;
        for (int slot = 0; slot < MAX_LINKS; slot++) {
            TargetConnect c = connecting[slot];
            if (c != null) {
                if (now - c.attempt.wakeAt() >= 0) {
                    advanceConnect(slot, c, 0, now);
                } else {
                    noteDeadline(c.attempt.wakeAt());
                }
            }
            RelayLink link = links[slot];
            if (link != null) {
                link.checkSilence(log, now);
                if (link.silencePending()) {
                    noteDeadline(link.silenceDueAt());
                }
            }
        }
    }

    private void onEvent(int slot, RelayLink link, int events, String side, long now) throws ErrnoException {
        boolean alive = link.service(log, now);
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
            if (link.silencePending()) {
                noteDeadline(link.silenceDueAt());
            }
        } else {
            end(slot, link, now);
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

    private void acceptAll(long now) throws ErrnoException {
        NativeSocket client;
        while ((client = listener.accept()) != null) {
            int id = nextId++;
            int slot = freeSlot();
            if (slot < 0) {
                log.info("#" + id + " from " + client.peer() + " refused: " + MAX_LINKS + " connections are open");
                client.close();
                continue;
            }
            ConnectAttempt attempt;
            try {
                attempt = ConnectAttempt.start(target, connectTimeout, now);
            } catch (IOException | RuntimeException e) {
                cannotReach(id, client, e);
                continue;
            }
            TargetConnect c = new TargetConnect(id, client, attempt, now);
            connecting[slot] = c;
            advanceConnect(slot, c, 0, now);
        }
    }

    /**
     * Moves a connect on with what was ready on its socket (0 when woken by time); keeps its epoll registration in
     * step with what it waits for; and when it is done, turns it into a link, or reports why the target is unreachable.
     */
    private void advanceConnect(int slot, TargetConnect c, int events, long now) throws ErrnoException {
        ConnectAttempt a = c.attempt;
        try {
            if (!a.done() && !a.advance(events, now)) {
                if (now - a.deadline() >= 0) {
                    throw a.timedOut();
                }
                watch(slot, c, a.interest());
                noteDeadline(a.wakeAt());
                return;
            }
        } catch (IOException | RuntimeException e) {
            watch(slot, c, 0);
            connecting[slot] = null;
            a.close();
            cannotReach(c.id, c.client, e);
            return;
        }
        watch(slot, c, 0);
        connecting[slot] = null;
        NativeSocket server = a.socket();
        RelayLink link = new RelayLink(c.id, c.client, server, bufferBytes, silentAfterNs, log, trace);
        links[slot] = link;
        log.info(String.format(Locale.ROOT, "#%d accepted %s, connected to %s in %.1f ms", c.id, c.client.peer(),
                target, (System.nanoTime() - c.startedNs) / 1e6));
        epoll.add(c.client.fd(), LibC.EPOLLIN, (long) slot << 1);
        epoll.add(server.fd(), LibC.EPOLLIN, ((long) slot << 1) | 1);
        link.clientInterest = LibC.EPOLLIN;
        link.targetInterest = LibC.EPOLLIN;
        onEvent(slot, link, 0, "client", now);
    }

    /** Registers the connecting socket for {@code interest}, or takes it out of the set for 0. */
    private void watch(int slot, TargetConnect c, int interest) throws ErrnoException {
        if (interest == c.registered) {
            return;
        }
        int fd = c.attempt.fd();
        if (interest == 0) {
            epoll.remove(fd);
        } else if (c.registered == 0) {
            epoll.add(fd, interest, ((long) slot << 1) | 1);
        } else {
            epoll.modify(fd, interest, ((long) slot << 1) | 1);
        }
        c.registered = interest;
    }

    private void cannotReach(int id, NativeSocket client, Exception e) {
        log.info("#" + id + " from " + client.peer() + ": cannot reach the target " + target + " ("
                + e.getMessage() + "); closing the client's connection, so it sees end of stream");
        client.close();
    }

    private int freeSlot() {
        for (int i = 0; i < links.length; i++) {
            if (links[i] == null && connecting[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private void end(int slot, RelayLink link, long now) {
        try {
            epoll.remove(link.client.fd());
            epoll.remove(link.target.fd());
        } catch (ErrnoException ignored) {
            // closing the fds below removes them from the set anyway
        }
        links[slot] = null;
        RelayReport report = link.report(now);
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

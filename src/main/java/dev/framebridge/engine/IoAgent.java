package dev.framebridge.engine;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FramePool;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import dev.framebridge.push.PushSubscriber;
import dev.framebridge.push.Scanouts;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.Epoll;
import dev.framebridge.transport.EventFd;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The one thread that touches sockets: accepts, reads and validates messages non-blocking ({@link RequestReader}
 * receives pixels straight into a session's frame slot and publishes each filled slot on its encode agent's ring
 * through {@link EncodeDispatch}), and writes each answer with one gathering write (answer prefix + the encoder's
 * own output memory), resuming partial writes without copying. Each connection's phases and transitions are its
 * {@link ConnectionState}; this agent registers with epoll whatever that state wants.
 *
 * <p>Back-pressure: a session has a window of slots; when all are in flight, its socket is taken out of the
 * read set until an answer completes. A client that stops reading its answers holds its window and nothing
 * else. Every rejected request is answered with ERROR in order, through the same encode agent as the rest.
 *
 * <p>Nobody locks anyone out: housekeeping closes a connection idle with nothing in flight for --idle-timeout, a
 * message arriving slower than --min-receive-rate, and a message or an answer that stops moving for
 * --stall-timeout. When every connection is taken, a newcomer still gets in if some connection has been idle with
 * nothing in flight for a while: the longest-idle one is closed and the newcomer waits for its session (a few
 * microseconds: until the encode agent lets go of it). A connection with a request in flight is never closed to
 * make room. Every close says why in the log and in a counter; repeated lines are rate-limited.
 *
 * <p>Inline layout (no encode threads): this agent runs its one encode agent itself, in {@link #answerPending()}:
 * at the start of each duty cycle and after each request it reads, so nothing sits between a request's last byte
 * and its answer. With encode threads, the same call only collects their answers.
 *
 * <p>Several I/O agents ({@code --io-agents}): each owns a consecutive range of sessions, its own epoll, request
 * reader and encode agents (or its inline one); nothing of a connection is shared between them. Agent 0 alone
 * watches the listeners: it gives each newcomer to the agent with the most free sessions (ties: the lowest index,
 * so a single guest is always agent 0's, as with one agent) and hands the socket over through that agent's inbox.
 * The frame pool, the counters and the latency recorders are shared and safe for several writers.
 */
final class IoAgent implements Agent, RequestReader.Control {
    private static final long LISTENER_TAG = 1L << 32;
    private static final long WAKE_TAG = 2L << 32;
    private static final long CONNECTION_TAG = 3L << 32;
    private static final int READ_LIMIT = 256;
    /**
     * Reads (recv calls) one connection gets per duty cycle, and at most one whole request: then the next ready
     * connection has its turn, and this one is reported readable again by the next epoll_wait (level-triggered).
     */
    static final int READS_PER_TURN = 64;
    private static final long HOUSEKEEPING_INTERVAL_NS = 100_000_000L;
    /** How long a connection closing after a fatal answer waits for the peer to read it and close first. */
    private static final long LINGER_NS = 1_000_000_000L;
    /** Idle this long (and with nothing in flight), a connection may be closed to admit a newcomer when all are taken. */
    private static final long EVICTABLE_AFTER_NS = 1_000_000_000L;
    /** Newcomers that may wait at once for sessions being freed for them. */
    private static final int ADMISSION_QUEUE = 16;
    private static final VarHandle PARKED;
    private static final VarHandle DRAINING;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(IoAgent.class, "parked", boolean.class);
            DRAINING = MethodHandles.lookup().findVarHandle(IoAgent.class, "draining", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineConfig config;
    private final SocketListener[] listeners;
    private final Epoll epoll;
    private final EventFd wakeFd;
    private final Session[] sessions;
    /** This agent's place among the engine's I/O agents; agent 0 accepts for all. */
    private final int agentIndex;
    /** The engine-wide index of this agent's first session (its sessions are consecutive). */
    private final int firstSession;
    /** Every I/O agent of the engine, this one included; set once before any agent runs. */
    private IoAgent[] peers = {this};
    /** Newcomers the accepting agent handed to this one, admitted on this agent's thread. */
    private final ManyToOneConcurrentArrayQueue<HandedOver> inbox = new ManyToOneConcurrentArrayQueue<>(4 * ADMISSION_QUEUE);
    /** Sessions this agent holds or is about to (open, closing, waiting for admission, in the inbox); read by agent 0. */
    private final AtomicInteger held = new AtomicInteger();
    private final IoConnection[] connections;
    private final int[] freeSessions;
    private int freeSessionCount;
    private int openCount;
    /** Sessions whose socket is closed but which the encode agent has not let go of yet. */
    private int closingCount;
    /** Newcomers accepted while every session was taken, each waiting for a session an eviction is freeing. */
    private final NativeSocket[] admissionQueue = new NativeSocket[ADMISSION_QUEUE];
    private final String[] admissionListeners = new String[ADMISSION_QUEUE];
    private final boolean[] admissionUnix = new boolean[ADMISSION_QUEUE];
    private int admissionCount;
    private final FramePool pool;
    private final OneToOneRingBuffer[] answerRings;
    /** The encode agent this thread runs itself (inline layout), or null when encode agents have threads. */
    private final EncodeAgent inlineEncoder;
    private final int[] agentLoad;
    private final long[] allowListRefusals;
    private final EncodeDispatch dispatch;
    private final RequestReader reader;
    private final ByReference byReference;
    private final EngineCounters counters;
    private final EngineLog log;
    private final NanoClock clock;
    /** The clock read once per duty cycle; what timeouts and progress stamps use. */
    private final CachedNanoClock cycleClock = new CachedNanoClock();
    private final DutyCycleCounts duty = new DutyCycleCounts();
    private final long stallNs;
    private final long idleNs;
    private final long receiveWindowNs;
    private final long evictableAfterNs;
    private final LogRateLimit connectedLines;
    private final LogRateLimit closedLines;
    private final LogRateLimit refusedFullLines;
    private final LogRateLimit refusedCidLines;
    private final LogRateLimit acceptFailedLines;

    private final ErrorFlyweight error = new ErrorFlyweight();
    private final SubscribeResponseFlyweight subscribeResponse = new SubscribeResponseFlyweight();
    private final ConfigRequestFlyweight configRequest = new ConfigRequestFlyweight();
    private final MessageHandler onAnswer = this::onAnswer;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment skipBuffer = arena.allocate(RequestReader.skipBufferBytes());
    private final LatencyPublisher stats;
    private final SingleWriterRecorder latencyRecorder;

    private long now;
    /** When the events being handled were reported (a request's wait to be read starts no earlier). */
    private long eventsNanos;
    private long nextHousekeeping;
    private int pendingEvents;
    private boolean listenersClosed;
    private boolean drainStarted;
    private long drainTimeoutNs;
    private long drainDeadline;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;
    @SuppressWarnings("unused") // through DRAINING
    private volatile boolean draining;
    private volatile boolean drained;

    // push mode: connections with a subscriber, polled when a source published (pushPending) or their socket drained
    private Scanouts scanouts = Scanouts.none();
    private final IoConnection[] subscribed;
    private int subscribedCount;
    private volatile boolean pushPending;
    private final FrameResponseFlyweight pushResponse = new FrameResponseFlyweight();
    private final PushSubscriber.Sink pushSink = this::onPushed;
    /** The connection {@link #pushSink} is filling. */
    private IoConnection pushing;
    private final AtomicCounter pushSubscribers;
    private final AtomicCounter pushFrames;
    private final AtomicCounter pushDrops;
    private final AtomicCounter pushRefused;
    private final AtomicCounter pushEnded;

    /**
     * @param agentIndex    this agent's place among the engine's I/O agents (0 watches the listeners)
     * @param listeners     the listeners to accept on (agent 0's; none for the others)
     * @param sessions      this agent's sessions: consecutive engine-wide indexes
     * @param inlineEncoder the encode agent to run on this thread (the inline layout), or null
     */
    IoAgent(EngineConfig config, int agentIndex, SocketListener[] listeners, Session[] sessions, FramePool pool,
            OneToOneRingBuffer[] requestRings, OneToOneRingBuffer[] answerRings, WakeableIdleStrategy[] encodeIdles,
            EncodeAgent inlineEncoder, boolean convertRgbOnArrival, EngineCounters counters, LatencyPublisher stats,
            EngineLog log, ByReference byReference) throws ErrnoException {
        this.config = config;
        this.clock = config.clock();
        this.listeners = listeners;
        this.sessions = sessions;
        this.agentIndex = agentIndex;
        this.firstSession = sessions.length > 0 ? sessions[0].index : 0;
        this.pool = pool;
        this.answerRings = answerRings;
        this.inlineEncoder = inlineEncoder;
        this.agentLoad = new int[requestRings.length];
        this.allowListRefusals = new long[listeners.length];
        this.counters = counters;
        this.stats = stats;
        this.log = log;
        this.dispatch = new EncodeDispatch(requestRings, encodeIdles);
        this.byReference = byReference;
        this.reader = new RequestReader(new HxfrDecoder(config.limits()), dispatch, this, counters, log, skipBuffer,
                convertRgbOnArrival, cycleClock, clock, byReference);
        this.latencyRecorder = config.latencyRecorder();
        this.stallNs = config.stallTimeoutMs() * 1_000_000L;
        this.idleNs = config.idleTimeoutMs() * 1_000_000L;
        this.receiveWindowNs = config.receiveWindowMs() * 1_000_000L;
        this.evictableAfterNs = Math.min(EVICTABLE_AFTER_NS, idleNs);
        this.connectedLines = new LogRateLimit(log, "client connected");
        this.closedLines = new LogRateLimit(log, "session closed");
        this.refusedFullLines = new LogRateLimit(log, "refused (server full, --max-connections)");
        this.refusedCidLines = new LogRateLimit(log, "refused (CID not in --vsock-allow-cid)");
        this.acceptFailedLines = new LogRateLimit(log, "accept failed");
        this.connections = new IoConnection[sessions.length];
        this.subscribed = new IoConnection[sessions.length];
        this.pushSubscribers = counters.get(CounterId.PUSH_SUBSCRIBERS);
        this.pushFrames = counters.get(CounterId.PUSH_FRAMES);
        this.pushDrops = counters.get(CounterId.PUSH_DROPS);
        this.pushRefused = counters.get(CounterId.PUSH_REFUSED);
        this.pushEnded = counters.get(CounterId.PUSH_ENDED);
        this.freeSessions = new int[sessions.length];
        for (int i = sessions.length - 1; i >= 0; i--) {
            connections[i] = new IoConnection(sessions[i], config.maxPools());
            connections[i].memory = new ConnectionMemory(pool.total(), config.maxFrameMemoryPerConnection());
            freeSessions[freeSessionCount++] = i;
        }
        byReference.connections(connections);
        this.epoll = new Epoll(64);
        this.wakeFd = new EventFd();
        epoll.add(wakeFd.fd(), LibC.EPOLLIN, WAKE_TAG);
        for (int i = 0; i < listeners.length; i++) {
            epoll.add(listeners[i].fd(), LibC.EPOLLIN, LISTENER_TAG | i);
        }
        if (!config.vsockAllowedCids().isEmpty()) {
            // a refused guest reads why before the hang-up, instead of guessing at a bare close
            MemorySegment refusal = arena.allocate(ErrorFlyweight.LENGTH);
            new ErrorFlyweight().wrap(refusal, 0).set(1, ErrorCode.INTERNAL, "refused: this host accepts vsock"
                    + " connections only from CIDs " + config.vsockAllowedCids() + " (serve --vsock-allow-cid);"
                    + " connect from one of those guests or add this guest's CID");
            for (SocketListener l : listeners) {
                l.refuseWith(refusal);
            }
        }
        this.now = clock.nanoTime();
        cycleClock.update(now);
        this.nextHousekeeping = now;
    }

    /** Push mode's scanouts. Set once, before the agent runs; their publishes call {@link #onPushPublished}. */
    void push(Scanouts s) {
        this.scanouts = s;
    }

    /** A push source published (its own thread): poll the subscribers on the next duty cycle. */
    void onPushPublished() {
        pushPending = true;
        wake();
    }

    @Override
    public String roleName() {
        return agentIndex == 0 ? "framebridge-io" : "framebridge-io-" + agentIndex;
    }

    /** Sessions this agent holds or is about to (what agent 0 compares when it places a newcomer). */
    int sessionsHeld() {
        return held.get();
    }

    /** Every I/O agent of the engine in order, this one included: before any of them runs. */
    void peers(IoAgent[] all) {
        this.peers = all;
    }

    /** How often this agent ran its duty cycle and parked in epoll. */
    DutyCycleCounts dutyCycles() {
        return duty;
    }

    // ---- duty cycle -------------------------------------------------------------------------------------

    @Override
    public int doWork() throws Exception {
        now = clock.nanoTime();
        cycleClock.update(now);
        duty.cycle();
        int work = answerPending();
        if (!inbox.isEmpty()) {
            work += admitHandedOver();
        }
        if (pushPending) {
            pushPending = false;
            work += pushToSubscribers();
        }
        int n;
        if (pendingEvents > 0) {
            n = pendingEvents; // eventsNanos was stamped when the park returned
        } else {
            n = epoll.wait(0);
            eventsNanos = clock.nanoTime();
        }
        pendingEvents = 0;
        for (int i = 0; i < n; i++) {
            work += onEvent(epoll.data(i), epoll.events(i));
        }
        // Housekeeping waits for a cycle with nothing to do (so it never sits between a request and its answer),
        // unless it is a whole interval late.
        long due = now - nextHousekeeping;
        if (due >= 0 && (work == 0 || due >= HOUSEKEEPING_INTERVAL_NS)) {
            nextHousekeeping = now + HOUSEKEEPING_INTERVAL_NS;
            work += housekeeping();
        }
        return work;
    }

    /**
     * Runs the inline encode agent, if this thread has one, and writes every answer the encode agents published.
     * The one place encoding happens on this thread.
     */
    private int answerPending() {
        int work = inlineEncoder != null ? inlineEncoder.doWork() : 0;
        for (OneToOneRingBuffer answers : answerRings) {
            work += answers.read(onAnswer, READ_LIMIT);
        }
        return work;
    }

    /**
     * Parks in epoll until a socket is ready, an encode agent signals an answer, or the timeout passes. Used by
     * the default idle strategy; the events it returns are handled by the next {@link #doWork()}.
     */
    void parkInEpoll(int timeoutMs) {
        PARKED.setVolatile(this, true);
        if (!answersPending() && !pushPending) {
            duty.parked();
            pendingEvents = epoll.park(timeoutMs);
            eventsNanos = clock.nanoTime();
        }
        PARKED.setVolatile(this, false);
    }

    /** Called by encode agents after publishing an answer: wakes the I/O agent if it is parked in epoll. */
    void wake() {
        VarHandle.fullFence();
        if ((boolean) PARKED.getVolatile(this)) {
            wakeFd.signal();
        }
    }

    private boolean answersPending() {
        for (OneToOneRingBuffer answers : answerRings) {
            if (answers.size() > 0) {
                return true;
            }
        }
        return false;
    }

    private int onEvent(long data, int events) {
        long tag = data & 0xFFFF_FFFF_0000_0000L;
        int index = (int) data;
        if (tag == CONNECTION_TAG) {
            return onConnectionEvent(connections[index], events);
        } else if (tag == LISTENER_TAG) {
            return accept(index);
        } else if (tag == WAKE_TAG) {
            wakeFd.drainQuietly();
            return 1;
        }
        return 0;
    }

    private int onConnectionEvent(IoConnection c, int events) {
        ConnectionState s = c.state;
        if (!s.isOpen()) {
            return 0;
        }
        if ((events & (LibC.EPOLLHUP | LibC.EPOLLERR)) != 0 && (events & LibC.EPOLLIN) == 0) {
            // Both directions are gone (or the socket failed): nothing can be read or answered any more.
            close(c, c.inFlight() > 0 ? "peer hung up with " + c.inFlight() + " requests in flight" : "peer hung up",
                    s.midMessage() ? counters.closedFault : counters.closedByPeer);
            return 1;
        }
        int work = 0;
        if ((events & LibC.EPOLLOUT) != 0) {
            work += writeAnswers(c);
        }
        if (s.isOpen() && (events & (LibC.EPOLLIN | LibC.EPOLLHUP | LibC.EPOLLERR | LibC.EPOLLRDHUP)) != 0) {
            c.readableNanos = eventsNanos;
            work += readRequests(c);
        }
        syncInterest(c);
        return work;
    }

    /**
     * The connection's turn this cycle: at most one request and {@link #READS_PER_TURN} reads (round-robin across
     * ready connections, so equal clients get equal service), the request answered (inline: encoded and written)
     * before the next connection's turn.
     */
    private int readRequests(IoConnection c) {
        long submitted = c.submitted;
        int work = reader.read(c, READS_PER_TURN);
        if (c.submitted != submitted) {
            work += answerPending();
        }
        return work;
    }

    /** Registers with epoll what the connection's state wants now, when that changed. */
    private void syncInterest(IoConnection c) {
        ConnectionState s = c.state;
        if (!s.isOpen()) {
            return;
        }
        int wanted = s.wantedEvents();
        if (wanted != s.registeredEvents()) {
            try {
                epoll.modify(c.socket.fd(), wanted, CONNECTION_TAG | (c.session.index - firstSession));
                s.registered(wanted);
            } catch (ErrnoException e) {
                close(c, "epoll_ctl failed: " + e.getMessage(), counters.closedFault);
            }
        }
    }

    // ---- accepting --------------------------------------------------------------------------------------

    private int accept(int listenerIndex) {
        SocketListener listener = listeners[listenerIndex];
        if (listenersClosed) {
            return 0;
        }
        int accepted = 0;
        while (true) {
            NativeSocket socket;
            try {
                socket = listener.accept();
            } catch (ErrnoException e) {
                if (acceptFailedLines.admit(now)) {
                    log.error("accept on " + listener.endpoint() + " failed: " + e.getMessage());
                }
                return accepted;
            }
            reportAllowListRefusals(listenerIndex);
            if (socket == null) {
                return accepted;
            }
            accepted++;
            String name = listener.endpoint().toString();
            boolean unix = listener.endpoint() instanceof Endpoint.Unix;
            IoAgent to = mostFreeAgent();
            to.held.incrementAndGet();
            if (to == this) {
                admit(socket, name, unix);
            } else if (to.inbox.offer(new HandedOver(socket, name, unix))) {
                to.wakeFd.signal();
            } else {
                to.held.decrementAndGet();
                counters.refused.increment();
                refuse(socket, "server busy: too many connections arriving at once; try again");
            }
        }
    }

    /** The I/O agent with the most free sessions; ties go to the lowest index (one guest: agent 0, as ever). */
    private IoAgent mostFreeAgent() {
        IoAgent best = peers[0];
        int bestFree = best.sessions.length - best.held.get();
        for (int i = 1; i < peers.length; i++) {
            int free = peers[i].sessions.length - peers[i].held.get();
            if (free > bestFree) {
                best = peers[i];
                bestFree = free;
            }
        }
        return best;
    }

    /** Newcomers agent 0 handed to this agent: admitted here, as if accepted here. */
    private int admitHandedOver() {
        int n = 0;
        HandedOver h;
        while ((h = inbox.poll()) != null) {
            n++;
            if (drainStarted) {
                held.decrementAndGet();
                counters.refused.increment();
                refuse(h.socket(), "server shutting down");
            } else {
                admit(h.socket(), h.listener(), h.unix());
            }
        }
        return n;
    }

    /** A newcomer counted in {@link #held}: opened, queued for a session being freed, or refused. */
    private void admit(NativeSocket socket, String listener, boolean unixSocket) {
        if (freeSessionCount == 0 || pool.available() < config.maxInFlight()) {
            if (admissionCount < ADMISSION_QUEUE && (admissionCount < closingCount || evictLongestIdle())) {
                admissionQueue[admissionCount] = socket; // admitted as soon as a closing session is let go of
                admissionUnix[admissionCount] = unixSocket;
                admissionListeners[admissionCount++] = listener;
                return;
            }
            held.decrementAndGet();
            counters.refused.increment();
            if (refusedFullLines.admit(now)) {
                log.info("refused " + socket.peer() + " on " + listener + ": " + openCount
                        + " connections open" + (peers.length > 1 ? " on I/O agent " + agentIndex : "")
                        + ", the limit is " + config.maxConnections() + " (--max-connections),"
                        + " none idle with nothing in flight");
            }
            refuse(socket);
            return;
        }
        open(socket, listener, unixSocket);
    }

    /** A connection accepted by agent 0 for this agent. */
    private record HandedOver(NativeSocket socket, String listener, boolean unix) {
    }

    /**
     * Every session is taken: closes the connection idle longest (at least {@link #EVICTABLE_AFTER_NS}) with nothing
     * in flight, nothing half-read and no answer half-written. Returns false when there is none.
     */
    private boolean evictLongestIdle() {
        IoConnection victim = null;
        for (IoConnection c : connections) {
            if (c.state.betweenMessages() && c.inFlight() == 0 && c.writeSlot == null
                    && now - c.lastActivityNanos >= evictableAfterNs
                    && (victim == null || c.lastActivityNanos - victim.lastActivityNanos < 0)) {
                victim = c;
            }
        }
        if (victim == null) {
            return false;
        }
        close(victim, "idle for " + (now - victim.lastActivityNanos) / 1_000_000 + " ms with nothing in flight, the"
                + " longest of " + openCount + " connections: closed to admit a newcomer (--max-connections "
                + config.maxConnections() + ")", counters.closedEvicted);
        return true;
    }

    private void reportAllowListRefusals(int listenerIndex) {
        SocketListener listener = listeners[listenerIndex];
        long rejected = listener.rejectedPeers();
        if (rejected != allowListRefusals[listenerIndex]) {
            counters.refused.getAndAddRelease(rejected - allowListRefusals[listenerIndex]);
            allowListRefusals[listenerIndex] = rejected;
            if (refusedCidLines.admit(now)) {
                log.info("refused " + listener.lastRejectedPeer() + " on " + listener.endpoint()
                        + ": its CID is not in --vsock-allow-cid " + config.vsockAllowedCids());
            }
        }
    }

    private void refuse(NativeSocket socket) {
        refuse(socket, "server full: " + config.maxConnections() + " connections open (--max-connections); try again later");
    }

    private void refuse(NativeSocket socket, String why) {
        // Say why before closing, so the client logs a reason instead of a bare hang-up.
        error.wrap(skipBuffer, 0).set(1, ErrorCode.INTERNAL, why);
        try {
            socket.write(skipBuffer, 0, ErrorFlyweight.LENGTH);
        } catch (ErrnoException ignored) {
            // best effort: the client may already be gone
        }
        socket.close();
    }

    /** @param unixSocket accepted on a Unix socket: fds may come with its messages (fd pools) */
    private void open(NativeSocket socket, String listener, boolean unixSocket) {
        int index = freeSessions[freeSessionCount - 1];
        Session session = sessions[index];
        IoConnection c = connections[index];
        if (!pool.take(session.slots, session.window, c.memory)) { // another I/O agent took the last slots
            held.decrementAndGet();
            counters.refused.increment();
            refuse(socket);
            return;
        }
        freeSessionCount--;
        session.resetFramesWritten();
        session.encodeAgent = leastLoadedAgent();
        agentLoad[session.encodeAgent]++;
        c.reset(socket, socket.peer(), unixSocket, now);
        c.memory.publishTo(counters.newSessionCounter("session " + index + " frame memory (bytes), " + c.peer));
        session.encoderThreads = counters.newSessionCounter("session " + index + " encoder threads (level), " + c.peer);
        openCount++;
        counters.accepted.increment();
        counters.active.increment();
        try {
            int wanted = c.state.wantedEvents();
            epoll.add(socket.fd(), wanted, CONNECTION_TAG | index);
            c.state.registered(wanted);
        } catch (ErrnoException e) {
            log.error("cannot watch " + socket.peer() + ": " + e.getMessage());
            close(c, "epoll_ctl failed: " + e.getMessage(), counters.closedFault);
            return;
        }
        if (connectedLines.admit(now)) {
            log.info("client connected from " + c.peer + " on " + listener + " (session " + session.index
                    + (peers.length > 1 ? ", I/O agent " + agentIndex : "") + ")");
        }
    }

    private int leastLoadedAgent() {
        int best = 0;
        for (int i = 1; i < agentLoad.length; i++) {
            if (agentLoad[i] < agentLoad[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---- answers ----------------------------------------------------------------------------------------

    private void onAnswer(int msgTypeId, DirectBuffer buffer, int index, int length) {
        int sessionIndex = buffer.getInt(index);
        IoConnection c = connections[sessionIndex - firstSession];
        if (msgTypeId == RingMessages.CLOSED) {
            release(c);
            return;
        }
        counters.inFlight.getAndAddRelease(-1);
        c.answersReceived++;
        if (!c.state.isOpen()) {
            return; // the peer is gone; the answer is dropped with the session
        }
        c.answersReady++;
        writeAnswers(c);
    }

    /**
     * Writes what the connection has to send, one whole message at a time: its request answers in order first, then
     * (push mode) the newest pushed frame when no answer is ready. Each message goes out with one gathering write; a
     * full socket leaves the rest for EPOLLOUT.
     */
    private int writeAnswers(IoConnection c) {
        ConnectionState s = c.state;
        int written = 0;
        try {
            while (s.isOpen()) {
                if (c.writeSlot == null && !c.pushWriting) {
                    if (c.answersReady == 0) {
                        if (c.subscriber == null || !preparePush(c)) {
                            break;
                        }
                    } else {
                        FrameSlot slot = c.session.slot(c.answered);
                        if (slot.answerLength == 0) {
                            answerDone(c, slot); // KEYFRAME_REQ, DISABLE_SCANOUT: answered by saying nothing
                            continue;
                        }
                        c.gather.clear().add(slot.answer(), 0, slot.answerLength);
                        if (slot.answerBodyLength > 0) {
                            c.gather.addNative(slot.answerBodyAddress, slot.answerBodyLength);
                        }
                        c.writeSlot = slot;
                    }
                    c.lastWriteProgressNanos = now;
                }
                long n = c.socket.writev(c.gather);
                if (n > 0) {
                    c.lastWriteProgressNanos = now;
                    c.bytesOut += n;
                    counters.bytesOut.getAndAddRelease(n);
                }
                if (!c.gather.isEmpty()) {
                    s.writeBlocked(true);
                    break; // socket full: resume on EPOLLOUT from where the kernel stopped
                }
                s.writeBlocked(false);
                written++;
                if (c.pushWriting) {
                    c.pushWriting = false;
                    pushDone(c);
                    continue;
                }
                FrameSlot done = c.writeSlot;
                c.writeSlot = null;
                answerDone(c, done);
            }
        } catch (ErrnoException e) {
            close(c, "write failed: " + e.getMessage(), counters.closedByPeer);
            return written;
        }
        syncInterest(c);
        return written;
    }

    // ---- push mode --------------------------------------------------------------------------------------

    /** Polls every subscriber that is not in the middle of a write (those go on at EPOLLOUT). */
    private int pushToSubscribers() {
        int work = 0;
        for (int i = 0; i < subscribedCount; i++) {
            IoConnection c = subscribed[i];
            if (c.writeSlot == null && !c.pushWriting) {
                work += writeAnswers(c);
            }
            if (i < subscribedCount && subscribed[i] != c) {
                i--; // c closed or unsubscribed and the last entry moved into its place
            }
        }
        return work;
    }

    /**
     * Puts the subscriber's next message in the connection's gather list: the newest access unit it may decode, or
     * an ERROR saying its scanout ended. False when there is nothing new (or the connection is closing).
     */
    private boolean preparePush(IoConnection c) {
        if (!c.state.reading() || drainStarted) {
            return false; // closing after a fatal answer, or shutting down: nothing more is pushed
        }
        String ended = c.pushSource.ended();
        if (ended != null) {
            String why = "scanout " + c.pushScanout + " ended: " + ended + "; requests on this connection are still"
                    + " answered";
            error.wrap(c.pushPrefix(), 0).set((int) c.pushScanout, ErrorCode.RESOURCE_NOT_FOUND, why);
            c.gather.clear().add(c.pushPrefix(), 0, ErrorFlyweight.LENGTH);
            c.pushWriting = true;
            c.pushEnding = true;
            log.info("session " + c.session.index + " (" + c.peer + "): " + why);
            return true;
        }
        pushing = c;
        boolean got = c.subscriber.poll(pushSink);
        pushing = null;
        long drops = c.subscriber.drops();
        if (drops != c.pushDropsSeen) {
            pushDrops.getAndAddRelease(drops - c.pushDropsSeen);
            c.pushDropsSeen = drops;
        }
        return got;
    }

    /** Under the source's lock: copies the access unit into the connection's push buffer and frames it. */
    private void onPushed(java.lang.foreign.MemorySegment accessUnit, long length, boolean keyframe, long pts) {
        IoConnection c = pushing;
        java.lang.foreign.MemorySegment body = c.pushBody(length); // grows only for a larger access unit
        java.lang.foreign.MemorySegment.copy(accessUnit, 0, body, 0, length);
        pushResponse.wrap(c.pushPrefix(), 0).singleEntry((int) c.pushScanout, pts, pts, keyframe, length);
        c.gather.clear().add(c.pushPrefix(), 0, FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH)
                .add(body, 0, length);
        c.pushWriting = true;
    }

    private void pushDone(IoConnection c) {
        c.lastActivityNanos = now;
        if (c.pushEnding) {
            c.pushEnding = false;
            pushEnded.increment();
            unsubscribe(c);
        } else {
            pushFrames.increment();
        }
    }

    /** The SUBSCRIBE_RESP (success=1) was written: from now on the connection gets the scanout's frames. */
    private void subscribe(IoConnection c, long scanoutId) {
        dev.framebridge.push.PushSource source = scanouts.source(scanoutId);
        if (c.subscriber != null) {
            unsubscribe(c); // one subscription per connection: the newer replaces it
        }
        if (source == null) {
            return;
        }
        c.pushSource = source;
        c.pushScanout = scanoutId;
        c.pushDropsSeen = 0;
        c.subscriber = source.subscribe();
        subscribed[subscribedCount++] = c;
        pushSubscribers.increment(); // one level for every I/O agent: each adds and takes away its own, none sets it
        pushPending = true; // the subscriber's first frame (an IDR) may already be there
    }

    private void unsubscribe(IoConnection c) {
        if (c.subscriber == null) {
            return;
        }
        c.pushSource.unsubscribe(c.subscriber);
        c.subscriber = null;
        c.pushSource = null;
        c.pushWriting = false;
        c.pushEnding = false;
        for (int i = 0; i < subscribedCount; i++) {
            if (subscribed[i] == c) {
                subscribed[i] = subscribed[--subscribedCount];
                subscribed[subscribedCount] = null;
                break;
            }
        }
        pushSubscribers.decrement();
    }

    /** SUBSCRIBE_RESP and CONFIG_REQ answers change what the connection is pushed. */
    private void onControlAnswered(IoConnection c, FrameSlot slot) {
        if (slot.kind == SlotKind.SUBSCRIBE && slot.answerLength == SubscribeResponseFlyweight.LENGTH) {
            subscribeResponse.wrap(slot.answer(), 0);
            if (subscribeResponse.success()) {
                subscribe(c, subscribeResponse.scanoutId());
            } else {
                pushRefused.increment();
            }
        } else if (slot.kind == SlotKind.CONFIG_REQ && c.subscriber != null) {
            c.pushSource.bitrate((int) Math.min(Integer.MAX_VALUE, configRequest.wrap(slot.request(), 0).bitrate()));
        }
    }

    private void answerDone(IoConnection c, FrameSlot slot) {
        Session s = c.session;
        if (slot.kind == SlotKind.SUBSCRIBE || slot.kind == SlotKind.CONFIG_REQ) {
            onControlAnswered(c, slot);
        }
        if (slot.answerUsesEncoderMemory) {
            s.frameWritten();
            dispatch.wake(s);
            counters.framesOut.increment();
            stats.recordEncode(slot.encodeNanos);
            stats.recordStages(slot, clock.nanoTime());
        } else if (slot.answerLength == ErrorFlyweight.LENGTH
                && slot.answer().get(ValueLayout.JAVA_BYTE, MessageFlyweight.TYPE_OFFSET) == (byte) Hxfr.MSG_ERROR) {
            int code = error.wrap(slot.answer(), 0).errorCode();
            counters.errorsOut.increment();
            counters.forErrorCode(code).increment();
            c.errors++;
        }
        if (slot.answerLength > 0) {
            long took = Math.max(0, clock.nanoTime() - slot.receivedNanos); // the last answer byte was just written
            stats.recordLatency(took);
            if (latencyRecorder != null) {
                latencyRecorder.recordValue(took);
            }
        }
        c.answered++;
        c.answersReady--;
        if (c.pools.releasing > 0) {
            byReference.answered(c); // every request before an UNREGISTER_POOL is answered: its pool can go
        }
        c.lastActivityNanos = now;
        if (c.state.answeringThenClosing()) {
            if (c.answered == c.submitted) {
                linger(c);
            }
        } else if (!drainStarted) {
            c.state.resumeReading(); // the window has room; the reader pauses again if it is still full
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------

    /** Every answer is written: shut our side, then read and discard until the peer closes or the grace ends. */
    private void linger(IoConnection c) {
        try {
            c.socket.shutdownOutput();
        } catch (ErrnoException e) {
            close(c, c.closeReason, c.closeCause);
            return;
        }
        c.state.linger();
        c.lingerDeadline = now + LINGER_NS;
    }

    @Override
    public void close(IoConnection c, String reason, AtomicCounter cause) {
        if (!c.state.isOpen()) {
            return;
        }
        try {
            epoll.remove(c.socket.fd());
        } catch (ErrnoException ignored) {
            // closing the fd removes it anyway
        }
        c.socket.close();
        c.state.closing();
        c.writeSlot = null;
        unsubscribe(c); // the other subscribers of its scanout go on
        cause.increment();
        openCount--;
        closingCount++;
        counters.active.decrement();
        if (closedLines.admit(now)) {
            long ms = (now - c.openedNanos) / 1_000_000;
            log.info("session " + c.session.index + " closed (" + c.peer + "): " + reason + "; " + c.frames + " frames, "
                    + c.errors + " errors, " + c.bytesIn + " bytes in, " + c.bytesOut + " bytes out, " + ms + " ms");
        }
        dispatch.close(c.session);
    }

    /** The encode agent let go of the session: its slots go back to the pool and its index is free. */
    private void release(IoConnection c) {
        Session s = c.session;
        long unanswered = c.submitted - c.answersReceived; // discarded by the encode agent at close
        if (unanswered > 0) {
            counters.inFlight.getAndAddRelease(-unanswered);
        }
        pool.give(s.slots, s.window);
        counters.free(c.memory.stopPublishing());
        counters.free(s.encoderThreads);
        s.encoderThreads = null;
        byReference.release(c); // nothing reads this connection's pools any more
        agentLoad[s.encodeAgent]--;
        c.state.free();
        c.socket = null;
        closingCount--;
        freeSessions[freeSessionCount++] = s.index - firstSession;
        held.decrementAndGet();
        if (admissionCount > 0) {
            NativeSocket next = admissionQueue[0];
            String listener = admissionListeners[0];
            boolean unix = admissionUnix[0];
            admissionCount--;
            System.arraycopy(admissionQueue, 1, admissionQueue, 0, admissionCount);
            System.arraycopy(admissionListeners, 1, admissionListeners, 0, admissionCount);
            System.arraycopy(admissionUnix, 1, admissionUnix, 0, admissionCount);
            admissionQueue[admissionCount] = null;
            admissionListeners[admissionCount] = null;
            open(next, listener, unix);
        }
    }

    // ---- housekeeping -----------------------------------------------------------------------------------

    private int housekeeping() {
        int work = 0;
        for (IoConnection c : connections) {
            if (c.state.isOpen() && timedOut(c)) {
                work++;
            }
        }
        connectedLines.roll(now);
        closedLines.roll(now);
        refusedFullLines.roll(now);
        refusedCidLines.roll(now);
        acceptFailedLines.roll(now);
        reader.rollLogLimits(now);
        if ((boolean) DRAINING.getVolatile(this)) {
            work += drainStep();
        }
        return work;
    }

    /** Closes the connection if one of its timeouts passed; returns whether it did. */
    private boolean timedOut(IoConnection c) {
        ConnectionState s = c.state;
        if (s.lingering()) {
            if (now - c.lingerDeadline > 0) {
                close(c, c.closeReason, c.closeCause);
                return true;
            }
            return false;
        }
        if (s.midMessage()) {
            if (now - c.lastProgressNanos > stallNs) {
                counters.stalled.increment();
                close(c, "message stalled: no bytes for " + config.stallTimeoutMs() + " ms in the middle of a message"
                        + " (--stall-timeout)", counters.closedFault);
                return true;
            }
            if (now - c.receiveWindowStart >= receiveWindowNs) {
                long received = c.bytesIn - c.receiveWindowBytes;
                if (received < config.minReceiveBytes()) {
                    close(c, "message too slow: " + received + " bytes in " + (now - c.receiveWindowStart) / 1_000_000
                            + " ms, the minimum is " + config.minReceiveBytes() + " bytes per "
                            + config.receiveWindowMs() + " ms (--min-receive-rate)", counters.closedTooSlow);
                    return true;
                }
                c.receiveWindowStart = now;
                c.receiveWindowBytes = c.bytesIn;
            }
        }
        if ((c.writeSlot != null || c.pushWriting) && now - c.lastWriteProgressNanos > stallNs) {
            counters.stalled.increment();
            close(c, "answer stalled: the peer read none of it for " + config.stallTimeoutMs() + " ms"
                    + " (--stall-timeout)", counters.closedFault);
            return true;
        }
        if (s.betweenMessages() && c.inFlight() == 0 && c.subscriber == null && now - c.lastActivityNanos > idleNs) {
            close(c, "idle for " + config.idleTimeoutMs() + " ms with nothing in flight (--idle-timeout)",
                    counters.closedIdle);
            return true;
        }
        return false;
    }

    /** Shutdown (any thread): stop accepting and reading, answer what is in flight, then close every connection. */
    void startDraining(long timeoutMs) {
        drainTimeoutNs = timeoutMs * 1_000_000L;
        DRAINING.setVolatile(this, true);
        wakeFd.signal();
    }

    boolean drained() {
        return drained;
    }

    private int drainStep() {
        if (!drainStarted) {
            drainStarted = true;
            drainDeadline = now + drainTimeoutNs;
            reader.drain();
        }
        if (!listenersClosed) {
            listenersClosed = true;
            for (SocketListener l : listeners) {
                try {
                    epoll.remove(l.fd());
                } catch (ErrnoException ignored) {
                    // closing below removes it anyway
                }
                l.close();
            }
            for (int i = 0; i < admissionCount; i++) {
                held.decrementAndGet();
                counters.refused.increment();
                refuse(admissionQueue[i], "server shutting down");
                admissionQueue[i] = null;
            }
            admissionCount = 0;
        }
        boolean pastDeadline = now - drainDeadline >= 0;
        boolean busy = false;
        for (IoConnection c : connections) {
            if (c.state.isOpen()) {
                if (c.answered == c.submitted || pastDeadline) {
                    close(c, pastDeadline ? "server shutting down (answers still in flight were dropped)"
                            : "server shutting down", counters.closedFault);
                } else {
                    busy = true;
                }
            } else if (c.state.isClosing()) {
                busy = !pastDeadline || busy;
            }
        }
        if (!busy) {
            drained = true;
        }
        return 1;
    }

    /**
     * After every agent has stopped (nothing can read a pool any more): unmaps the pools of connections that were
     * still open, and the host regions.
     */
    void unmapPoolsAfterStop() {
        for (IoConnection c : connections) {
            byReference.release(c);
        }
        byReference.closeRegions();
    }

    @Override
    public void onClose() {
        for (IoConnection c : connections) {
            if (c.state.isOpen()) {
                c.socket.close();
                c.state.closing();
            }
        }
        if (!listenersClosed) {
            for (SocketListener l : listeners) {
                l.close();
            }
        }
        for (int i = 0; i < admissionCount; i++) {
            admissionQueue[i].close();
        }
        HandedOver h;
        while ((h = inbox.poll()) != null) {
            h.socket().close();
        }
        if (inlineEncoder != null) {
            inlineEncoder.onClose();
        }
        for (IoConnection c : connections) {
            unsubscribe(c);
            c.freePushBuffers();
        }
        epoll.close();
        wakeFd.close();
        arena.close();
    }
}

package dev.framebridge.engine;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.FramePool;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.transport.Epoll;
import dev.framebridge.transport.EventFd;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The one thread that touches sockets: accepts, reads and validates messages non-blocking ({@link RequestReader}
 * receives pixels straight into a session's frame slot and publishes each filled slot on its encode agent's ring
 * through {@link EncodeDispatch}), and writes each answer with one gathering write (answer prefix + the encoder's
 * own output memory), resuming partial writes without copying.
 *
 * <p>Back-pressure: a session has a window of slots; when all are in flight, its socket is taken out of the
 * read set until an answer completes. A client that stops reading its answers holds its window and nothing
 * else. Every rejected request is answered with ERROR in order, through the same encode agent as the rest.
 */
final class IoAgent implements Agent, RequestReader.Control {
    private static final long LISTENER_TAG = 1L << 32;
    private static final long WAKE_TAG = 2L << 32;
    private static final long CONNECTION_TAG = 3L << 32;
    private static final int READ_LIMIT = 256;
    private static final long HOUSEKEEPING_INTERVAL_NS = 100_000_000L;
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
    private final IoConnection[] connections;
    private final int[] freeSessions;
    private int freeSessionCount;
    private int openCount;
    private final FramePool pool;
    private final OneToOneRingBuffer[] answerRings;
    private final int[] agentLoad;
    private final long[] allowListRefusals;
    private final EncodeDispatch dispatch;
    private final RequestReader reader;
    private final EngineCounters counters;
    private final EngineLog log;

    private final ErrorFlyweight error = new ErrorFlyweight();
    private final MessageHandler onAnswer = this::onAnswer;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment skipBuffer = arena.allocate(RequestReader.skipBufferBytes());
    private final LatencyPublisher stats;
    private final SingleWriterRecorder latencyRecorder;

    private long now;
    private long nextHousekeeping;
    private int pendingEvents;
    private boolean listenersClosed;
    private long drainDeadline;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;
    @SuppressWarnings("unused") // through DRAINING
    private volatile boolean draining;
    private volatile boolean drained;

    IoAgent(EngineConfig config, SocketListener[] listeners, Session[] sessions, FramePool pool,
            OneToOneRingBuffer[] requestRings, OneToOneRingBuffer[] answerRings, WakeableIdleStrategy[] encodeIdles,
            boolean convertRgbOnArrival, EngineCounters counters, LatencyPublisher stats, EngineLog log)
            throws ErrnoException {
        this.config = config;
        this.listeners = listeners;
        this.sessions = sessions;
        this.pool = pool;
        this.answerRings = answerRings;
        this.agentLoad = new int[requestRings.length];
        this.allowListRefusals = new long[listeners.length];
        this.counters = counters;
        this.stats = stats;
        this.log = log;
        this.dispatch = new EncodeDispatch(requestRings, encodeIdles);
        this.reader = new RequestReader(new HxfrDecoder(config.limits()), dispatch, this, counters, log, skipBuffer,
                convertRgbOnArrival);
        this.latencyRecorder = config.latencyRecorder();
        this.connections = new IoConnection[sessions.length];
        this.freeSessions = new int[sessions.length];
        for (int i = sessions.length - 1; i >= 0; i--) {
            connections[i] = new IoConnection(sessions[i]);
            freeSessions[freeSessionCount++] = i;
        }
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
    }

    @Override
    public String roleName() {
        return "framebridge-io";
    }

    // ---- duty cycle -------------------------------------------------------------------------------------

    @Override
    public int doWork() throws Exception {
        now = System.nanoTime();
        int work = 0;
        for (OneToOneRingBuffer answers : answerRings) {
            work += answers.read(onAnswer, READ_LIMIT);
        }
        int n = pendingEvents > 0 ? pendingEvents : epoll.wait(0);
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
     * Parks in epoll until a socket is ready, an encode agent signals an answer, or the timeout passes. Used by
     * the default idle strategy; the events it returns are handled by the next {@link #doWork()}.
     */
    void parkInEpoll(int timeoutMs) {
        PARKED.setVolatile(this, true);
        if (!answersPending() && !encodeWorkPending()) {
            pendingEvents = epoll.park(timeoutMs);
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

    /** Encode agents running on this thread (inline mode): the I/O agent must not park while they have work. */
    private EncodeAgent[] inlineEncoders = new EncodeAgent[0];

    void runsInline(EncodeAgent[] encoders) {
        this.inlineEncoders = encoders;
        reader.answerFirst(encoders.length > 0);
    }

    /**
     * Inline layout, a request was just read: encode and write its answer now, before the next read, the rest of
     * the epoll batch or housekeeping — nothing else between a request's last byte and its answer.
     */
    private int answerInlineNow() {
        int work = 0;
        for (EncodeAgent e : inlineEncoders) {
            work += e.doWork();
        }
        for (OneToOneRingBuffer answers : answerRings) {
            work += answers.read(onAnswer, READ_LIMIT);
        }
        return work;
    }

    private boolean encodeWorkPending() {
        for (EncodeAgent e : inlineEncoders) {
            if (e.hasWork()) {
                return true;
            }
        }
        return false;
    }

    private boolean answersPending() {
        for (OneToOneRingBuffer answers : answerRings) {
            if (answers.size() > 0) {
                return true;
            }
        }
        return false;
    }

    private int onEvent(long data, int events) throws ErrnoException {
        long tag = data & 0xFFFF_FFFF_0000_0000L;
        int index = (int) data;
        if (tag == CONNECTION_TAG) {
            IoConnection c = connections[index];
            if (c.state != IoConnection.OPEN) {
                return 0;
            }
            int work = 0;
            if ((events & (LibC.EPOLLHUP | LibC.EPOLLERR)) != 0 && (events & LibC.EPOLLIN) == 0) {
                // Both directions are gone (or the socket failed): nothing can be read or answered any more.
                close(c, c.inFlight() > 0 ? "peer hung up with " + c.inFlight() + " requests in flight" : "peer hung up",
                        c.midMessage() ? counters.closedFault : counters.closedByPeer);
                return 1;
            }
            if ((events & LibC.EPOLLOUT) != 0) {
                work += writeAnswers(c);
            }
            if (c.state == IoConnection.OPEN && (events & (LibC.EPOLLIN | LibC.EPOLLHUP | LibC.EPOLLERR | LibC.EPOLLRDHUP)) != 0) {
                long submitted = c.submitted;
                work += reader.read(c, now, draining);
                if (c.submitted != submitted && inlineEncoders.length > 0) {
                    work += answerInlineNow();
                }
            }
            return work;
        } else if (tag == LISTENER_TAG) {
            return accept(index);
        } else if (tag == WAKE_TAG) {
            wakeFd.drainQuietly();
            return 1;
        }
        return 0;
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
                log.error("accept on " + listener.endpoint() + " failed: " + e.getMessage());
                return accepted;
            }
            reportAllowListRefusals(listenerIndex);
            if (socket == null) {
                return accepted;
            }
            accepted++;
            if (freeSessionCount == 0 || pool.available() < config.maxInFlight()) {
                counters.refused.increment();
                log.info("refused " + socket.peer() + " on " + listener.endpoint() + ": " + openCount
                        + " connections open, the limit is " + config.maxConnections() + " (--max-connections)");
                refuse(socket);
                continue;
            }
            open(socket, listener.endpoint().toString());
        }
    }

    private void reportAllowListRefusals(int listenerIndex) {
        SocketListener listener = listeners[listenerIndex];
        long rejected = listener.rejectedPeers();
        if (rejected != allowListRefusals[listenerIndex]) {
            counters.refused.getAndAddRelease(rejected - allowListRefusals[listenerIndex]);
            allowListRefusals[listenerIndex] = rejected;
            log.info("refused " + listener.lastRejectedPeer() + " on " + listener.endpoint()
                    + ": its CID is not in --vsock-allow-cid " + config.vsockAllowedCids());
        }
    }

    private void refuse(NativeSocket socket) {
        // Say why before closing, so the client logs a reason instead of a bare hang-up.
        error.wrap(skipBuffer, 0).set(1, ErrorCode.INTERNAL, "server full: " + config.maxConnections()
                + " connections open (--max-connections); try again later");
        try {
            socket.write(skipBuffer, 0, ErrorFlyweight.LENGTH);
        } catch (ErrnoException ignored) {
            // best effort: the client may already be gone
        }
        socket.close();
    }

    private void open(NativeSocket socket, String listener) {
        int index = freeSessions[--freeSessionCount];
        Session session = sessions[index];
        IoConnection c = connections[index];
        pool.take(session.slots, session.window);
        session.resetFramesWritten();
        session.encodeAgent = leastLoadedAgent();
        agentLoad[session.encodeAgent]++;
        c.reset(socket, socket.peer(), listener, now);
        try {
            epoll.add(socket.fd(), LibC.EPOLLIN | LibC.EPOLLRDHUP, CONNECTION_TAG | index);
        } catch (ErrnoException e) {
            log.error("cannot watch " + socket.peer() + ": " + e.getMessage());
            close(c, "epoll_ctl failed: " + e.getMessage(), counters.closedFault);
            return;
        }
        openCount++;
        counters.accepted.increment();
        counters.active.setRelease(openCount);
        log.info("client connected from " + c.peer + " on " + listener + " (session " + index + ")");
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

    // ---- reading: see RequestReader ---------------------------------------------------------------------

    @Override
    public void pauseReading(IoConnection c) {
        if (c.readInterest) {
            c.readInterest = false;
            counters.backpressure.increment();
            updateInterest(c);
        }
    }

    private void resumeReading(IoConnection c) {
        if (!c.readInterest && c.readPhase != IoConnection.READ_NONE && !draining) {
            c.readInterest = true;
            updateInterest(c);
        }
    }

    private void updateInterest(IoConnection c) {
        int events = (c.readInterest ? LibC.EPOLLIN | LibC.EPOLLRDHUP : 0) | (c.writeInterest ? LibC.EPOLLOUT : 0);
        try {
            epoll.modify(c.socket.fd(), events, CONNECTION_TAG | c.session.index);
        } catch (ErrnoException e) {
            close(c, "epoll_ctl failed: " + e.getMessage(), counters.closedFault);
        }
    }

    // ---- answers ----------------------------------------------------------------------------------------

    private void onAnswer(int msgTypeId, DirectBuffer buffer, int index, int length) {
        int sessionIndex = buffer.getInt(index);
        IoConnection c = connections[sessionIndex];
        if (msgTypeId == RingMessages.CLOSED) {
            release(c);
            return;
        }
        counters.inFlight.getAndAddRelease(-1);
        c.answersReceived++;
        if (c.state != IoConnection.OPEN) {
            return; // the peer is gone; the answer is dropped with the session
        }
        c.answersReady++;
        writeAnswers(c);
    }

    private int writeAnswers(IoConnection c) {
        int written = 0;
        try {
            while (c.state == IoConnection.OPEN) {
                if (!c.writing) {
                    if (c.answersReady == 0) {
                        break;
                    }
                    FrameSlot slot = c.session.slot(c.answered);
                    if (slot.answerLength == 0) {
                        answerDone(c, slot);
                        continue;
                    }
                    c.gather.clear().add(slot.answer(), 0, slot.answerLength);
                    if (slot.answerBodyLength > 0) {
                        c.gather.addNative(slot.answerBodyAddress, slot.answerBodyLength);
                    }
                    c.writeSlot = slot;
                    c.writing = true;
                }
                long n = c.socket.writev(c.gather);
                if (n > 0) {
                    c.bytesOut += n;
                    counters.bytesOut.getAndAddRelease(n);
                }
                if (!c.gather.isEmpty()) {
                    if (!c.writeInterest) {
                        c.writeInterest = true;
                        updateInterest(c);
                    }
                    break; // socket full: resume on EPOLLOUT from where the kernel stopped
                }
                c.writing = false;
                answerDone(c, c.writeSlot);
                written++;
            }
        } catch (ErrnoException e) {
            close(c, "write failed: " + e.getMessage(), counters.closedByPeer);
            return written;
        }
        if (c.state == IoConnection.OPEN && !c.writing && c.writeInterest) {
            c.writeInterest = false;
            updateInterest(c);
        }
        return written;
    }

    private void answerDone(IoConnection c, FrameSlot slot) {
        Session s = c.session;
        if (slot.answerUsesEncoderMemory) {
            s.frameWritten();
            dispatch.wake(s);
            counters.framesOut.increment();
            stats.recordEncode(slot.encodeNanos);
        } else if (slot.answerLength == ErrorFlyweight.LENGTH
                && slot.answer().get(java.lang.foreign.ValueLayout.JAVA_BYTE, MessageFlyweight.TYPE_OFFSET) == (byte) Hxfr.MSG_ERROR) {
            int code = error.wrap(slot.answer(), 0).errorCode();
            counters.errorsOut.increment();
            counters.forErrorCode(code).increment();
            c.errors++;
        }
        if (slot.answerLength > 0) {
            long took = Math.max(0, System.nanoTime() - slot.receivedNanos); // the last answer byte was just written
            stats.recordLatency(took);
            if (latencyRecorder != null) {
                latencyRecorder.recordValue(took);
            }
        }
        c.writeSlot = null;
        c.answered++;
        c.answersReady--;
        if (c.readPhase == IoConnection.READ_NONE && c.answered == c.submitted) {
            linger(c);
            return;
        }
        resumeReading(c);
        if (c.readInterest && c.readPhase == IoConnection.READ_HEADER) {
            reader.read(c, now, draining); // data may already be waiting; level-triggered epoll would report it, but this saves a cycle
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------

    /** After a fatal answer: shut our side, read and discard until the peer closes or a second passes. */
    private void linger(IoConnection c) {
        try {
            c.socket.shutdownOutput();
        } catch (ErrnoException e) {
            close(c, c.closeReason, counters.closedFault);
            return;
        }
        c.readPhase = IoConnection.READ_DISCARD;
        c.lingerDeadline = now + 1_000_000_000L;
        c.readInterest = false;
        resumeReadingForDiscard(c);
    }

    private void resumeReadingForDiscard(IoConnection c) {
        c.readInterest = true;
        updateInterest(c);
    }

    @Override
    public void close(IoConnection c, String reason, org.agrona.concurrent.status.AtomicCounter cause) {
        if (c.state != IoConnection.OPEN) {
            return;
        }
        try {
            epoll.remove(c.socket.fd());
        } catch (ErrnoException ignored) {
            // closing the fd removes it anyway
        }
        c.socket.close();
        c.state = IoConnection.CLOSING;
        c.writing = false;
        cause.increment();
        openCount--;
        counters.active.setRelease(openCount);
        long ms = (now - c.openedNanos) / 1_000_000;
        log.info("session " + c.session.index + " closed (" + c.peer + "): " + reason + "; " + c.frames + " frames, "
                + c.errors + " errors, " + c.bytesIn + " bytes in, " + c.bytesOut + " bytes out, " + ms + " ms");
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
        agentLoad[s.encodeAgent]--;
        c.state = IoConnection.FREE;
        c.socket = null;
        freeSessions[freeSessionCount++] = s.index;
    }

    // ---- housekeeping -----------------------------------------------------------------------------------

    private int housekeeping() {
        int work = 0;
        long stallNs = config.stallTimeoutMs() * 1_000_000L;
        for (IoConnection c : connections) {
            if (c.state == IoConnection.OPEN && c.readPhase == IoConnection.READ_DISCARD && now - c.lingerDeadline > 0) {
                close(c, c.closeReason, counters.closedFault);
                work++;
            } else if (c.state == IoConnection.OPEN && c.midMessage() && now - c.lastProgressNanos > stallNs) {
                counters.stalled.increment();
                close(c, "message stalled: no bytes for " + config.stallTimeoutMs() + " ms in the middle of a message"
                        + " (--stall-timeout)", counters.closedFault);
                work++;
            }
        }
        if ((boolean) DRAINING.getVolatile(this)) {
            work += drainStep();
        }
        return work;
    }

    /** Shutdown: stop accepting and reading, answer what is in flight, then close every connection. */
    void startDraining(long timeoutMs) {
        drainDeadline = System.nanoTime() + timeoutMs * 1_000_000L;
        DRAINING.setVolatile(this, true);
        wakeFd.signal();
    }

    boolean drained() {
        return drained;
    }

    private int drainStep() {
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
        }
        boolean pastDeadline = now - drainDeadline >= 0;
        boolean busy = false;
        for (IoConnection c : connections) {
            if (c.state == IoConnection.OPEN) {
                if (c.answered == c.submitted || pastDeadline) {
                    close(c, pastDeadline ? "server shutting down (answers still in flight were dropped)"
                            : "server shutting down", counters.closedFault);
                } else {
                    busy = true;
                }
            } else if (c.state == IoConnection.CLOSING) {
                busy = !pastDeadline || busy;
            }
        }
        if (!busy) {
            drained = true;
        }
        return 1;
    }

    @Override
    public void onClose() {
        for (IoConnection c : connections) {
            if (c.state == IoConnection.OPEN) {
                c.socket.close();
                c.state = IoConnection.FREE;
            }
        }
        if (!listenersClosed) {
            for (SocketListener l : listeners) {
                l.close();
            }
        }
        epoll.close();
        wakeFd.close();
        arena.close();
    }
}

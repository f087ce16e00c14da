package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.frame.FrameMemoryBudget;
import dev.framebridge.frame.FrameSlot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The engine's encoding half without sockets, for producers in the same process ({@code dev.framebridge.embed}):
 * the same sessions, frame slots, agrona rings and encode agents as {@link Engine}, with the I/O agent replaced by a
 * delivery agent that hands each answer to a {@link Delivery} instead of writing it to a socket.
 *
 * <p>A producer fills a session's next slot with a by-reference frame (a FRAME_REF in the slot's request area, the
 * memory it names at {@link FrameSlot#referenceBase}) and {@link #submit}s it; the encode agent reads the frame in
 * place, as for a FRAME_REF from a socket, and the delivery agent calls {@link Delivery#onAnswer} with the slot, its
 * answer pointing into the encoder's own output memory. The encoder is not called again for that session until
 * {@code onAnswer} returns. Back-pressure is the session's window: at most {@code maxInFlight} requests unanswered;
 * {@link #awaitRoom} blocks until there is room.
 *
 * <p>Threads: submissions may come from any thread (one lock per ring write); answers are delivered on the delivery
 * thread, in request order per session. Nothing allocates per frame.
 */
public final class EncodeCore implements AutoCloseable {
    private static final VarHandle DELIVERED;
    private static final long PARK_NS = 50_000_000L;

    static {
        try {
            DELIVERED = MethodHandles.arrayElementVarHandle(long[].class);
        } catch (IllegalArgumentException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the delivery thread does with each answer. */
    public interface Delivery {
        /**
         * The answer to the session's next request, in order: a FRAME_RESPONSE prefix in {@link FrameSlot#answer()}
         * with the access unit at {@link FrameSlot#answerBodyAddress} (the encoder's memory, valid during this call),
         * or an ERROR.
         */
        void onAnswer(int session, FrameSlot slot);
    }

    private final Session[] sessions;
    private final boolean[] taken;
    private final long[] submitted;
    /** Answers delivered per session; read by submitters (back-pressure), written by the delivery thread. */
    private final long[] delivered;
    private final Thread[] waiting;
    private final OneToOneRingBuffer[] requestRings;
    private final OneToOneRingBuffer[] answerRings;
    private final EncodeDispatch dispatch;
    private final EncodeAgent[] encoders;
    private final Delivery delivery;
    private final DeliveryAgent deliveryAgent = new DeliveryAgent();
    private final WakeableIdleStrategy deliveryIdle;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final int[] agentLoad;
    private final FrameMemoryBudget noPixels = new FrameMemoryBudget(1, null);
    private boolean closed;

    private EncodeCore(EngineConfig config, EncoderBackend backend, int streams, Delivery delivery, ErrorHandler onError) {
        int window = config.maxInFlight();
        this.delivery = delivery;
        sessions = new Session[streams];
        taken = new boolean[streams];
        submitted = new long[streams];
        delivered = new long[streams];
        waiting = new Thread[streams];
        for (int i = 0; i < streams; i++) {
            sessions[i] = new Session(i, window);
            for (int s = 0; s < window; s++) {
                sessions[i].slots[s] = new FrameSlot(noPixels); // frames by reference only: no pixel memory
            }
        }
        boolean inline = config.encodeAgents() == 0;
        int agents = inline ? 1 : config.encodeAgents();
        agentLoad = new int[agents];
        int records = streams * (window + 2) + 16;
        requestRings = new OneToOneRingBuffer[agents];
        answerRings = new OneToOneRingBuffer[agents];
        encoders = new EncodeAgent[agents];
        WakeableIdleStrategy[] encodeIdles = new WakeableIdleStrategy[agents];
        EncoderDefaults defaults = new EncoderDefaults(config.bitrate(), config.fpsNum(), config.fpsDen(), config.keyint(),
                config.profile(), config.preset(), config.encoderThreads(), null);
        deliveryIdle = new WakeableIdleStrategy(Engine.DEFAULT_SPINS, Engine.DEFAULT_YIELDS, PARK_NS,
                this::answersPending, new DutyCycleCounts());
        Runnable wakeDelivery = inline ? () -> { } : deliveryIdle::wake;
        EncodeAgent.ErrorSink errors = (session, message) -> { }; // each failure is delivered as the frame's ERROR
        for (int i = 0; i < agents; i++) {
            requestRings[i] = RingMessages.newRing(records);
            answerRings[i] = RingMessages.newRing(records);
            encoders[i] = new EncodeAgent(i, requestRings[i], answerRings[i], backend, defaults, sessions,
                    SystemNanoClock.INSTANCE, wakeDelivery, errors);
            encodeIdles[i] = new WakeableIdleStrategy(Engine.DEFAULT_SPINS, Engine.DEFAULT_YIELDS, PARK_NS,
                    encoders[i]::hasWork, new DutyCycleCounts());
        }
        dispatch = new EncodeDispatch(requestRings, encodeIdles);
        if (inline) {
            // One thread encodes and delivers: the handler runs right after its frame is encoded.
            WakeableIdleStrategy both = new WakeableIdleStrategy(Engine.DEFAULT_SPINS, Engine.DEFAULT_YIELDS, PARK_NS,
                    () -> encoders[0].hasWork() || answersPending(), new DutyCycleCounts());
            encodeIdles[0] = both;
            runners.add(new AgentRunner(both, onError, null, new CompositeAgent(encoders[0], deliveryAgent)));
        } else {
            for (int i = 0; i < agents; i++) {
                runners.add(new AgentRunner(encodeIdles[i], onError, null, encoders[i]));
            }
            runners.add(new AgentRunner(deliveryIdle, onError, null, deliveryAgent));
        }
    }

    /**
     * Starts encode agents ({@code config.encodeAgents()}; 0: one, on the delivery thread) and the delivery agent,
     * for up to {@code streams} sessions of {@code config.maxInFlight()} requests in flight each. Encoder settings come
     * from the config (bitrate, frame rate, keyframe interval, profile, preset, encoder threads); its listeners and
     * socket options are not used.
     */
    public static EncodeCore start(EngineConfig config, EncoderBackend backend, int streams, Delivery delivery,
                                   ErrorHandler onError) {
        if (streams < 1 || streams > 4096) {
            throw new IllegalArgumentException("streams " + streams + " must be within 1..4096");
        }
        if (config.maxInFlight() < 1 || config.maxInFlight() > 64) {
            throw new IllegalArgumentException("max in flight " + config.maxInFlight() + " must be within 1..64");
        }
        EncodeCore core = new EncodeCore(config, backend, streams, delivery, onError);
        for (AgentRunner r : core.runners) {
            AgentRunner.startOnThread(r);
        }
        return core;
    }

    /** Opens a session; -1 when every one is taken. */
    public synchronized int open() {
        for (int i = 0; i < sessions.length; i++) {
            if (!taken[i]) {
                taken[i] = true;
                submitted[i] = 0;
                DELIVERED.setRelease(delivered, i, 0L);
                sessions[i].resetFramesWritten();
                sessions[i].encodeAgent = leastLoaded();
                agentLoad[sessions[i].encodeAgent]++;
                return i;
            }
        }
        return -1;
    }

    private int leastLoaded() {
        int best = 0;
        for (int i = 1; i < agentLoad.length; i++) {
            if (agentLoad[i] < agentLoad[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Requests of the session submitted and not yet delivered. */
    public int inFlight(int session) {
        return (int) (submitted[session] - (long) DELIVERED.getAcquire(delivered, session));
    }

    /** The slot the session's next request goes into; valid to fill only while {@link #inFlight} is below the window. */
    public FrameSlot nextSlot(int session) {
        return sessions[session].slot(submitted[session]);
    }

    public int window() {
        return sessions[0].window;
    }

    /**
     * Waits until the session has room for another request (back-pressure), at most {@code timeoutNs}; returns
     * whether it has. Called by the session's one producer thread.
     */
    public boolean awaitRoom(int session, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        Session s = sessions[session];
        while (inFlight(session) >= s.window) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waiting[session] = Thread.currentThread();
            VarHandle.fullFence();
            if (inFlight(session) >= s.window) {
                LockSupport.parkNanos(this, Math.min(left, PARK_NS));
            }
            waiting[session] = null;
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Publishes the session's filled {@link #nextSlot} (a FRAME_REF) to its encode agent. */
    public void submit(int session) {
        FrameSlot slot = nextSlot(session);
        slot.kind = SlotKind.FRAME_REF;
        slot.receivedNanos = System.nanoTime();
        submitted[session]++;
        synchronized (dispatch) { // rings have one producer: submissions from several threads take turns
            dispatch.request(sessions[session]);
        }
    }

    /**
     * Closes the session once every request submitted has been delivered (or {@code timeoutNs} passed: the rest
     * is dropped, never delivered). The index may be reused afterwards.
     */
    public void close(int session, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (inFlight(session) > 0 && deadline - System.nanoTime() > 0) {
            waiting[session] = Thread.currentThread();
            LockSupport.parkNanos(this, 1_000_000L);
            waiting[session] = null;
        }
        synchronized (dispatch) {
            dispatch.close(sessions[session]);
        }
    }

    private boolean answersPending() {
        for (OneToOneRingBuffer r : answerRings) {
            if (r.size() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Reads the answer rings and hands each answer over, in order; frees sessions the encode agents let go of. */
    private final class DeliveryAgent implements Agent {
        private final MessageHandler onAnswer = this::onAnswer;

        @Override
        public int doWork() {
            int work = 0;
            for (OneToOneRingBuffer r : answerRings) {
                work += r.read(onAnswer, 64);
            }
            return work;
        }

        private void onAnswer(int type, DirectBuffer buffer, int index, int length) {
            int i = buffer.getInt(index);
            Session s = sessions[i];
            if (type == RingMessages.CLOSED) {
                synchronized (EncodeCore.this) {
                    agentLoad[s.encodeAgent]--;
                    taken[i] = false;
                }
                return;
            }
            long n = (long) DELIVERED.getOpaque(delivered, i);
            FrameSlot slot = s.slot(n);
            try {
                delivery.onAnswer(i, slot);
            } finally {
                if (slot.answerUsesEncoderMemory) {
                    s.frameWritten(); // the encoder's output may be overwritten now
                    dispatch.wake(s);
                }
                DELIVERED.setRelease(delivered, i, n + 1);
                Thread w = waiting[i];
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        @Override
        public String roleName() {
            return "framebridge-embed-delivery";
        }
    }

    /** The threads that run the agents (encode and delivery), for allocation measurements. */
    public List<Thread> threads() {
        List<Thread> t = new ArrayList<>();
        for (AgentRunner r : runners) {
            t.add(r.thread());
        }
        return t;
    }

    /**
     * Stops the agents (closing their encoders); requests still in flight are not delivered. Not synchronized on this
     * object: the delivery thread takes that lock to free sessions, and stopping waits for it.
     */
    @Override
    public void close() {
        synchronized (runners) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (AgentRunner r : runners) {
            r.close();
        }
        for (Session s : sessions) {
            for (FrameSlot slot : s.slots) {
                slot.close();
            }
        }
    }
}

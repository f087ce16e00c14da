package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.FailoverBackend;
import dev.framebridge.encode.X264Backend;
import dev.framebridge.frame.FramePool;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.SocketListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The host engine: listeners, one I/O agent, N encode agents, the rings between them, the frame pool and the
 * counters file. {@link #start} binds everything or fails with a message naming the cause; {@link #close}
 * stops accepting, answers what is in flight, closes every connection and removes socket files.
 */
public final class Engine implements AutoCloseable {
    private static final int DRAIN_TIMEOUT_MS = 5_000;

    private final EngineLog log;
    private final EngineCounters counters;
    private final LatencyPublisher stats;
    private final IoAgent io;
    private final AgentRunner ioRunner;
    private final AgentRunner[] encodeRunners;
    private final FramePool pool;
    private final List<SocketListener> listeners;
    private boolean closed;

    private Engine(EngineLog log, EngineCounters counters, LatencyPublisher stats, IoAgent io, AgentRunner ioRunner,
                   AgentRunner[] encodeRunners, FramePool pool, List<SocketListener> listeners) {
        this.log = log;
        this.counters = counters;
        this.stats = stats;
        this.io = io;
        this.ioRunner = ioRunner;
        this.encodeRunners = encodeRunners;
        this.pool = pool;
        this.listeners = listeners;
    }

    public static Engine start(EngineConfig config, EncoderBackend chosen, EngineLog log) throws IOException {
        config.conclude();
        List<SocketListener> listeners = new ArrayList<>();
        EngineCounters counters = null;
        LatencyPublisher stats = null;
        try {
            ListenOptions options = ListenOptions.defaults().withUnixMode(config.unixMode())
                    .withVsockAllowedCids(config.vsockAllowedCids());
            if (config.unixGroup() != null) {
                options = options.withUnixGroup(config.unixGroup());
            }
            StringJoiner endpoints = new StringJoiner(" ");
            for (Endpoint e : config.listen()) {
                SocketListener l = SocketListener.listen(e, options);
                listeners.add(l);
                endpoints.add(l.endpoint().toString());
            }
            for (Endpoint e : config.optionalListen()) {
                try {
                    SocketListener l = SocketListener.listen(e, options);
                    listeners.add(l);
                    endpoints.add(l.endpoint().toString());
                } catch (IOException | RuntimeException skipped) {
                    log.info("not listening on " + e + ": " + skipped.getMessage());
                }
            }
            if (listeners.isEmpty()) {
                throw new IOException("no endpoint could be bound; give one that can with --listen");
            }
            counters = new EngineCounters(CountersFile.create(config.countersFile(), endpoints.toString()));
            EncoderBackend backend = withFailover(chosen, counters, log);

            int slotsPerSession = config.maxInFlight();
            FramePool pool = new FramePool(config.maxConnections() * slotsPerSession, 64L * 1024 * 1024);
            Session[] sessions = new Session[config.maxConnections()];
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = new Session(i, slotsPerSession);
            }
            boolean inline = config.encodeAgents() == 0;
            int agents = inline ? 1 : config.encodeAgents();
            int records = config.maxConnections() * (slotsPerSession + 2) + 16;
            OneToOneRingBuffer[] requestRings = new OneToOneRingBuffer[agents];
            OneToOneRingBuffer[] answerRings = new OneToOneRingBuffer[agents];
            WakeableIdleStrategy[] encodeIdles = new WakeableIdleStrategy[agents];
            EncodeAgent[] encodeAgents = new EncodeAgent[agents];
            IoAgent[] ioRef = new IoAgent[1];
            EngineCounters c = counters;
            for (int i = 0; i < agents; i++) {
                requestRings[i] = RingMessages.newRing(records);
                answerRings[i] = RingMessages.newRing(records);
            }
            EncoderDefaults defaults = new EncoderDefaults(config.bitrate(), config.fpsNum(), config.fpsDen(),
                    config.keyint(), config.profile(), config.preset(), config.encoderThreads(), counters.encoderOpens);
            for (int i = 0; i < agents; i++) {
                encodeAgents[i] = new EncodeAgent(i, requestRings[i], answerRings[i], backend, defaults, sessions,
                        () -> ioRef[0].wake(),
                        (session, message) -> c.recordDistinct(backend.name() + " encode failed: " + message));
                EncodeAgent agent = encodeAgents[i];
                encodeIdles[i] = new WakeableIdleStrategy(DEFAULT_SPINS, DEFAULT_YIELDS, 50_000_000L, agent::hasWork);
            }
            boolean convertOnArrival = config.convertOnArrival() && backend.takesConvertedRgb();
            stats = new LatencyPublisher(counters);
            IoAgent io = new IoAgent(config, listeners.toArray(SocketListener[]::new), sessions, pool, requestRings,
                    answerRings, encodeIdles, convertOnArrival, counters, stats, log);
            ioRef[0] = io;

            ErrorHandler onError = t -> {
                c.agentErrors.increment();
                c.recordDistinct(t);
                log.error("agent error (the agent goes on): " + t);
            };
            AgentRunner ioRunner;
            AgentRunner[] encodeRunners;
            if (inline) {
                // One thread does it all: no hand-off between threads (the rings stay, as same-thread queues).
                io.runsInline(encodeAgents);
                ioRunner = new AgentRunner(ioIdle(config, io), onError, null, new CompositeAgent(io, encodeAgents[0]));
                encodeRunners = new AgentRunner[0];
            } else {
                ioRunner = new AgentRunner(ioIdle(config, io), onError, null, io);
                encodeRunners = new AgentRunner[agents];
                for (int i = 0; i < agents; i++) {
                    IdleStrategy idle = config.idle().equals("default") ? encodeIdles[i] : agronaIdle(config.idle());
                    encodeRunners[i] = new AgentRunner(idle, onError, null, encodeAgents[i]);
                }
            }
            for (AgentRunner r : encodeRunners) {
                AgentRunner.startOnThread(r);
            }
            AgentRunner.startOnThread(ioRunner);
            stats.start();
            for (SocketListener l : listeners) {
                log.info("listening on " + l.endpoint());
            }
            log.info("encoder " + backend.name() + ", " + (inline ? "encoding on the I/O thread" : agents + " encode thread(s)")
                    + ", idle strategy " + config.idle()
                    + ", up to " + config.maxInFlight() + " requests in flight per connection, counters in "
                    + config.countersFile());
            return new Engine(log, counters, stats, io, ioRunner, encodeRunners, pool, listeners);
        } catch (IOException | RuntimeException e) {
            for (SocketListener l : listeners) {
                l.close();
            }
            if (counters != null) {
                counters.close();
            }
            throw e;
        }
    }

    /** A GPU encoder that fails mid-session hands that session to x264 from an IDR: counted, logged, no error sent. */
    private static EncoderBackend withFailover(EncoderBackend chosen, EngineCounters counters, EngineLog log) {
        return FailoverBackend.around(chosen, new X264Backend(), (from, to, reason) -> {
            counters.get(CounterId.ENCODER_FAILOVERS).increment();
            counters.recordDistinct(from + " failed, session moved to " + to + ": " + reason);
            log.error("encoder " + from + " failed (" + reason + "); the session goes on with " + to
                    + " from an IDR with SPS/PPS");
        });
    }

    /**
     * The default idle strategy spins briefly, yields briefly, then parks (encode agents on LockSupport, the I/O
     * agent in epoll). Short phases matter on small machines: a long spin steals the core the thread that has
     * work needs (measured on 2 cores: 10,000 spins gave a 3.6 ms round trip, 50+50 gives ~0.1 ms).
     */
    static final int DEFAULT_SPINS = 50;
    static final int DEFAULT_YIELDS = 50;

    private static IdleStrategy ioIdle(EngineConfig config, IoAgent io) {
        if (!config.idle().equals("default")) {
            return agronaIdle(config.idle());
        }
        return new IdleStrategy() {
            private int idle;

            @Override
            public void idle(int workCount) {
                if (workCount > 0) {
                    idle = 0;
                } else {
                    idle();
                }
            }

            @Override
            public void idle() {
                int n = idle++;
                if (n < DEFAULT_SPINS) {
                    Thread.onSpinWait();
                } else if (n < DEFAULT_SPINS + DEFAULT_YIELDS) {
                    Thread.yield();
                } else {
                    io.parkInEpoll(100); // ~0% CPU when idle; 100 ms bounds housekeeping (stall checks)
                }
            }

            @Override
            public void reset() {
                idle = 0;
            }

            @Override
            public String alias() {
                return "epoll";
            }
        };
    }

    private static IdleStrategy agronaIdle(String name) {
        return switch (name) {
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            default -> throw new IllegalArgumentException("unknown idle strategy " + name);
        };
    }

    /** The agents' threads (I/O first), for allocation and CPU measurements. */
    /** The threads that touch frames (I/O and encode agents), for allocation and CPU measurements. */
    public List<Thread> agentThreads() {
        List<Thread> threads = new ArrayList<>();
        threads.add(ioRunner.thread());
        for (AgentRunner r : encodeRunners) {
            threads.add(r.thread());
        }
        return threads;
    }

    public EngineCounters counters() {
        return counters;
    }

    public List<Endpoint> endpoints() {
        return listeners.stream().map(SocketListener::endpoint).toList();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        io.startDraining(DRAIN_TIMEOUT_MS);
        long deadline = System.nanoTime() + (DRAIN_TIMEOUT_MS + 1_000) * 1_000_000L;
        while (!io.drained() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ioRunner.close();
        for (AgentRunner r : encodeRunners) {
            r.close();
        }
        pool.close();
        stats.close();
        counters.close();
        log.info("stopped");
    }
}

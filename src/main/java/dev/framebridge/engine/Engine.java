package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.FailoverBackend;
import dev.framebridge.encode.FailoverEncoder;
import dev.framebridge.encode.X264Backend;
import dev.framebridge.frame.FramePool;
import dev.framebridge.push.Scanouts;
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
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The host engine: listeners, one or more I/O agents, their encode agents, the rings between them, the frame pool and the
 * counters file. {@link #start} binds everything or fails with a message naming the cause; {@link #close}
 * stops accepting, answers what is in flight, closes every connection and removes socket files.
 */
public final class Engine implements AutoCloseable {
    private static final int DRAIN_TIMEOUT_MS = 5_000;

    private final EngineLog log;
    private final EngineCounters counters;
    private final LatencyPublisher stats;
    private final EngineAgents agents;
    private final IoAgent[] ios;
    private final AgentRunner[] ioRunners;
    private final AgentRunner[] encodeRunners;
    private final FramePool pool;
    private final List<SocketListener> listeners;
    /** The push scanouts this engine attached (--qemu-display) and closes; null when none or the caller's. */
    private Scanouts ownScanouts;
    private Scanouts scanouts;
    private boolean closed;

    private Engine(EngineLog log, EngineCounters counters, LatencyPublisher stats, EngineAgents agents,
                   AgentRunner[] ioRunners, AgentRunner[] encodeRunners, List<SocketListener> listeners) {
        this.log = log;
        this.counters = counters;
        this.stats = stats;
        this.agents = agents;
        this.ios = agents.ios;
        this.ioRunners = ioRunners;
        this.encodeRunners = encodeRunners;
        this.pool = agents.pool;
        this.listeners = listeners;
    }

    public static Engine start(EngineConfig config, EncoderBackend chosen, EngineLog log) throws IOException {
        config.conclude();
        List<SocketListener> listeners = new ArrayList<>();
        EngineCounters counters = null;
        LatencyPublisher stats = null;
        Scanouts attached = null;
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

            Scanouts scanouts = config.scanouts();
            if (scanouts == null && config.qemuDisplay() != null) {
                attached = Scanouts.attach(config.qemuDisplay(), config.pushFps(), backend, log::info);
                scanouts = attached;
                log.info("push mode: attached to QEMU's display at " + config.qemuDisplay() + " (" + scanouts.describe()
                        + "), at most " + config.pushFps() + " frames a second each");
            }
            stats = new LatencyPublisher(counters);
            EngineAgents agents = new EngineAgents(config, backend, listeners.toArray(SocketListener[]::new), counters,
                    stats, log, scanouts == null ? Scanouts.none() : scanouts);
            EngineCounters c = counters;
            ErrorHandler onError = t -> {
                c.agentErrors.increment();
                c.recordDistinct(t);
                log.error("agent error (the agent goes on): " + t);
            };
            // Inline: each I/O agent runs its one encode agent on its own thread (see IoAgent.answerPending).
            AgentRunner[] ioRunners = new AgentRunner[agents.ios.length];
            for (int i = 0; i < ioRunners.length; i++) {
                ioRunners[i] = new AgentRunner(ioIdle(config, agents.ios[i]), onError, null, agents.ios[i]);
            }
            AgentRunner[] encodeRunners = new AgentRunner[agents.inline ? 0 : agents.encoders.length];
            for (int i = 0; i < encodeRunners.length; i++) {
                IdleStrategy idle = config.idle().equals("default") ? agents.encodeIdles[i] : agronaIdle(config.idle());
                encodeRunners[i] = new AgentRunner(idle, onError, null, agents.encoders[i]);
            }
            for (AgentRunner r : encodeRunners) {
                AgentRunner.startOnThread(r);
            }
            for (AgentRunner r : ioRunners) {
                AgentRunner.startOnThread(r);
            }
            stats.start();
            for (SocketListener l : listeners) {
                log.info("listening on " + l.endpoint());
            }
            log.info("encoder " + backend.name() + ", " + layout(agents.ios.length, agents.inline, encodeRunners.length)
                    + ", idle strategy " + config.idle()
                    + ", up to " + config.maxInFlight() + " requests in flight per connection, frame memory up to "
                    + mib(config.maxFrameMemoryPerConnection()) + " per connection and " + mib(config.maxFrameMemory())
                    + " in all (" + mib(config.frameMemoryReserve()) + " kept warm), counters in " + config.countersFile());
            counters.get(CounterId.IO_AGENTS).setRelease(agents.ios.length);
            counters.get(CounterId.ENCODE_AGENTS).setRelease(encodeRunners.length);
            Engine engine = new Engine(log, counters, stats, agents, ioRunners, encodeRunners, listeners);
            engine.ownScanouts = attached;
            engine.scanouts = scanouts == null ? Scanouts.none() : scanouts;
            return engine;
        } catch (IOException | RuntimeException e) {
            for (SocketListener l : listeners) {
                l.close();
            }
            if (attached != null) {
                attached.close();
            }
            if (counters != null) {
                counters.close();
            }
            throw e;
        }
    }

    /**
     * A GPU encoder that fails mid-session hands that session to x264 from an IDR: counted, logged, no error sent.
     * Where its sessions' DMA-BUF frames went (imported into the GPU, or read by the CPU and why) is counted too, and
     * a driver's refusal to import is logged once per session.
     */
    private static EncoderBackend withFailover(EncoderBackend chosen, EngineCounters counters, EngineLog log) {
        AtomicCounter[] dmaBufOutcomes = {
            counters.get(CounterId.DMABUF_IMPORTED), counters.get(CounterId.DMABUF_CPU_ENCODER),
            counters.get(CounterId.DMABUF_CPU_FORMAT), counters.get(CounterId.DMABUF_CPU_REFUSED),
        };
        return FailoverBackend.around(chosen, new X264Backend(), new FailoverEncoder.Listener() {
            @Override
            public void onFailover(String from, String to, String reason) {
                counters.get(CounterId.ENCODER_FAILOVERS).increment();
                counters.recordDistinct(from + " failed, session moved to " + to + ": " + reason);
                log.error("encoder " + from + " failed (" + reason + "); the session goes on with " + to
                        + " from an IDR with SPS/PPS");
            }

            @Override
            public void onDmaBufFrame(int outcome) {
                dmaBufOutcomes[outcome].increment();
            }

            @Override
            public void onDmaBufRefused(String encoder, String reason) {
                counters.recordDistinct(encoder + " refused a DMA-BUF import; its session reads them with the CPU: "
                        + reason);
                log.info("encoder " + encoder + " refused a DMA-BUF import (" + reason + "); the session's frames by"
                        + " reference are read by the CPU and uploaded from now on");
            }
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

    /** The layout in words, for the start-up line. */
    static String layout(int ioAgents, boolean inline, int encodeThreads) {
        String io = ioAgents == 1 ? "1 I/O agent" : ioAgents + " I/O agents (connections spread at accept, most free sessions first)";
        if (inline) {
            return io + (ioAgents == 1 ? ", encoding on its thread" : ", each encoding its own sessions on its thread");
        }
        return io + ", " + encodeThreads + " encode thread(s)";
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    private static IdleStrategy agronaIdle(String name) {
        return switch (name) {
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            default -> throw new IllegalArgumentException("unknown idle strategy " + name);
        };
    }

    /** The threads that touch frames (I/O and encode agents), for allocation and CPU measurements. */
    public List<Thread> agentThreads() {
        List<Thread> threads = new ArrayList<>();
        for (AgentRunner r : ioRunners) {
            threads.add(r.thread());
        }
        for (AgentRunner r : encodeRunners) {
            threads.add(r.thread());
        }
        return threads;
    }

    /** Duty cycles and parks of each agent that has a thread (I/O first), for tests. */
    List<DutyCycleCounts> dutyCycles() {
        List<DutyCycleCounts> counts = new ArrayList<>();
        for (IoAgent io : ios) {
            counts.add(io.dutyCycles());
        }
        for (int i = 0; i < encodeRunners.length; i++) {
            counts.add(agents.encoders[i].dutyCycles());
        }
        return counts;
    }

    private boolean allDrained() {
        for (IoAgent io : ios) {
            if (!io.drained()) {
                return false;
            }
        }
        return true;
    }

    /** Push mode's scanouts ({@code Scanouts.none()} without --qemu-display). */
    public Scanouts scanouts() {
        return scanouts;
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
        for (IoAgent io : ios) {
            io.startDraining(DRAIN_TIMEOUT_MS);
        }
        long deadline = System.nanoTime() + (DRAIN_TIMEOUT_MS + 1_000) * 1_000_000L;
        while (!allDrained() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (AgentRunner r : ioRunners) {
            r.close();
        }
        for (AgentRunner r : encodeRunners) {
            r.close();
        }
        for (IoAgent io : ios) {
            io.unmapPoolsAfterStop(); // only now can no agent be reading a pool
        }
        if (ownScanouts != null) {
            ownScanouts.close(); // no agent reads a push source any more
        }
        pool.close();
        stats.close();
        counters.close();
        log.info("stopped");
    }
}

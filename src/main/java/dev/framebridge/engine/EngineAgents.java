package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.frame.FrameMemoryBudget;
import dev.framebridge.frame.FramePool;
import dev.framebridge.push.Scanouts;
import dev.framebridge.transport.SocketListener;
import java.io.IOException;
import java.util.Arrays;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The engine's agents and what connects them (frame pool, sessions, rings), built from a configuration. The engine
 * runs them on threads; tests build them the same way and drive them by hand, calling {@code doWork()}.
 *
 * <p>Inline layout ({@code encodeAgents == 0}): one encode agent per I/O agent, run by that agent on its own thread.
 * Several I/O agents ({@code ioAgents > 1}) each own a consecutive range of sessions and their encode agents
 * (encode agent j belongs to I/O agent j % ioAgents); the rings stay one producer, one consumer.
 */
final class EngineAgents {
    /** Longest park of an encode agent's default idle strategy (a wake-up normally comes long before). */
    private static final long ENCODE_PARK_NS = 50_000_000L;

    final FramePool pool;
    final Session[] sessions;
    /** Every encode agent; with several I/O agents, encode agent j belongs to I/O agent j % ios.length. */
    final EncodeAgent[] encoders;
    final WakeableIdleStrategy[] encodeIdles;
    /** The I/O agents; agent 0 watches the listeners. */
    final IoAgent[] ios;
    /** The first I/O agent (the only one unless {@code ioAgents > 1}). */
    final IoAgent io;
    /** HELLO, pools and frames by reference; the host regions it mapped (agent 0's copy). */
    final ByReference byReference;
    final boolean inline;
    /** Encoder threads of all sessions together, shared by the encode agents. */
    final EncoderThreadBudget threadBudget;

    EngineAgents(EngineConfig config, EncoderBackend backend, SocketListener[] listeners, EngineCounters counters,
                 LatencyPublisher stats, EngineLog log) throws IOException {
        this(config, backend, listeners, counters, stats, log,
                config.scanouts() == null ? Scanouts.none() : config.scanouts());
    }

    /** @param scanouts push mode's scanouts (SUBSCRIBE, ENABLE_SCANOUT); {@code Scanouts.none()} without push */
    EngineAgents(EngineConfig config, EncoderBackend backend, SocketListener[] listeners, EngineCounters counters,
                 LatencyPublisher stats, EngineLog log, Scanouts scanouts) throws IOException {
        int window = config.maxInFlight();
        pool = framePool(config, counters);
        sessions = new Session[config.maxConnections()];
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = new Session(i, window);
        }
        inline = config.encodeAgents() == 0;
        int ioCount = config.ioAgents();
        int agents = inline ? ioCount : config.encodeAgents();
        // Every slot of every session, plus a CLOSE/CLOSED per session: the rings cannot fill.
        int records = config.maxConnections() * (window + 2) + 16;
        OneToOneRingBuffer[] requestRings = new OneToOneRingBuffer[agents];
        OneToOneRingBuffer[] answerRings = new OneToOneRingBuffer[agents];
        encoders = new EncodeAgent[agents];
        encodeIdles = new WakeableIdleStrategy[agents];
        threadBudget = new EncoderThreadBudget(config.encoderThreads(), config.threadBudgetCores(),
                counters.get(CounterId.ENCODER_THREADS), log);
        EncoderDefaults defaults = new EncoderDefaults(config.bitrate(), config.fpsNum(), config.fpsDen(),
                config.keyint(), config.profile(), config.preset(), threadBudget, counters.encoderOpens);
        ios = new IoAgent[ioCount];
        EncodeAgent.ErrorSink errors = (session, message) -> counters.recordDistinct(backend.name() + " encode failed: " + message);
        for (int i = 0; i < agents; i++) {
            int owner = i % ioCount;
            // inline: the I/O agent is the caller, nothing to wake
            Runnable wakeIo = inline ? () -> { } : () -> ios[owner].wake();
            requestRings[i] = RingMessages.newRing(records);
            answerRings[i] = RingMessages.newRing(records);
            encoders[i] = new EncodeAgent(i, requestRings[i], answerRings[i], backend, defaults, sessions,
                    config.clock(), wakeIo, errors);
            encoders[i].scanouts(scanouts);
            encodeIdles[i] = new WakeableIdleStrategy(Engine.DEFAULT_SPINS, Engine.DEFAULT_YIELDS, ENCODE_PARK_NS,
                    encoders[i]::hasWork, encoders[i].dutyCycles());
        }
        boolean convertOnArrival = config.convertOnArrival() && backend.takesConvertedRgb();
        byReference = ByReference.start(config, backend.name(), counters, log);
        try {
            int first = 0;
            for (int a = 0; a < ioCount; a++) {
                // consecutive sessions per agent, as even as the count allows
                int count = sessions.length / ioCount + (a < sessions.length % ioCount ? 1 : 0);
                int mine = (agents - a + ioCount - 1) / ioCount; // encode agents a, a + ioCount, ...
                OneToOneRingBuffer[] requests = new OneToOneRingBuffer[mine];
                OneToOneRingBuffer[] answers = new OneToOneRingBuffer[mine];
                WakeableIdleStrategy[] idles = new WakeableIdleStrategy[mine];
                for (int k = 0; k < mine; k++) {
                    requests[k] = requestRings[a + k * ioCount];
                    answers[k] = answerRings[a + k * ioCount];
                    idles[k] = encodeIdles[a + k * ioCount];
                }
                ios[a] = new IoAgent(config, a, a == 0 ? listeners : new SocketListener[0],
                        Arrays.copyOfRange(sessions, first, first + count), pool, requests, answers, idles,
                        inline ? encoders[a] : null, convertOnArrival, counters, stats, log,
                        a == 0 ? byReference : byReference.forAnotherIoAgent());
                first += count;
            }
        } catch (IOException | RuntimeException e) {
            for (IoAgent made : ios) {
                if (made != null) {
                    made.onClose();
                }
            }
            byReference.closeRegions();
            throw e;
        }
        for (IoAgent a : ios) {
            a.peers(ios);
            a.push(scanouts);
        }
        // a subscriber may be on any I/O agent: a publish wakes them all (those without subscribers find none)
        IoAgent[] all = ios;
        scanouts.onPublish(() -> {
            for (IoAgent a : all) {
                a.onPushPublished();
            }
        });
        this.io = ios[0];
    }

    /** Frame slots for every session's window, their memory bounded by the configured limits (see FramePool). */
    private static FramePool framePool(EngineConfig config, EngineCounters counters) {
        counters.get(CounterId.FRAME_MEMORY_LIMIT).setRelease(config.maxFrameMemory());
        counters.get(CounterId.FRAME_MEMORY_CONNECTION_LIMIT).setRelease(config.maxFrameMemoryPerConnection());
        FrameMemoryBudget total = new FrameMemoryBudget(config.maxFrameMemory(), counters.get(CounterId.FRAME_MEMORY));
        return new FramePool(config.maxConnections() * config.maxInFlight(), total, config.frameMemoryReserve(),
                counters.get(CounterId.FRAME_MEMORY_WARM));
    }
}

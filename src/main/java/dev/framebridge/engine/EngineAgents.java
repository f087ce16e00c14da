package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.frame.FrameMemoryBudget;
import dev.framebridge.frame.FramePool;
import dev.framebridge.transport.SocketListener;
import java.io.IOException;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The engine's agents and what connects them (frame pool, sessions, rings), built from a configuration. The engine
 * runs them on threads; tests build them the same way and drive them by hand, calling {@code doWork()}.
 *
 * <p>Inline layout ({@code encodeAgents == 0}): one encode agent, run by the I/O agent on its own thread.
 */
final class EngineAgents {
    /** Longest park of an encode agent's default idle strategy (a wake-up normally comes long before). */
    private static final long ENCODE_PARK_NS = 50_000_000L;

    final FramePool pool;
    final Session[] sessions;
    final EncodeAgent[] encoders;
    final WakeableIdleStrategy[] encodeIdles;
    final IoAgent io;
    /** HELLO, pools and frames by reference; the host regions it mapped. */
    final ByReference byReference;
    final boolean inline;
    /** Encoder threads of all sessions together, shared by the encode agents. */
    final EncoderThreadBudget threadBudget;

    EngineAgents(EngineConfig config, EncoderBackend backend, SocketListener[] listeners, EngineCounters counters,
                 LatencyPublisher stats, EngineLog log) throws IOException {
        this(config, backend, listeners, counters, stats, log,
                config.scanouts() == null ? dev.framebridge.push.Scanouts.none() : config.scanouts());
    }

    /** @param scanouts push mode's scanouts (SUBSCRIBE, ENABLE_SCANOUT); {@code Scanouts.none()} without push */
    EngineAgents(EngineConfig config, EncoderBackend backend, SocketListener[] listeners, EngineCounters counters,
                 LatencyPublisher stats, EngineLog log, dev.framebridge.push.Scanouts scanouts) throws IOException {
        int window = config.maxInFlight();
        pool = framePool(config, counters);
        sessions = new Session[config.maxConnections()];
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = new Session(i, window);
        }
        inline = config.encodeAgents() == 0;
        int agents = inline ? 1 : config.encodeAgents();
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
        IoAgent[] io = new IoAgent[1];
        Runnable wakeIo = inline ? () -> { } : () -> io[0].wake(); // inline: the I/O agent is the caller
        EncodeAgent.ErrorSink errors = (session, message) -> counters.recordDistinct(backend.name() + " encode failed: " + message);
        for (int i = 0; i < agents; i++) {
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
            this.io = new IoAgent(config, listeners, sessions, pool, requestRings, answerRings, encodeIdles,
                    inline ? encoders[0] : null, convertOnArrival, counters, stats, log, byReference);
        } catch (IOException | RuntimeException e) {
            byReference.closeRegions();
            throw e;
        }
        io[0] = this.io;
        this.io.push(scanouts);
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

package dev.framebridge.engine;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The engine's live counters, allocated in the {@link CountersFile} so {@code framebridge stat} can read them
 * from another process, plus the distinct-error log. Fields are bound once so the hot path is a plain call.
 */
public final class EngineCounters implements AutoCloseable {
    private final CountersFile file;
    private final Map<CounterId, AtomicCounter> byId = new EnumMap<>(CounterId.class);
    private final DistinctErrorLog errorLog;
    private final CountersManager manager;

    final AtomicCounter active;
    final AtomicCounter accepted;
    final AtomicCounter refused;
    final AtomicCounter closedByPeer;
    final AtomicCounter closedFault;
    final AtomicCounter stalled;
    final AtomicCounter closedTooSlow;
    final AtomicCounter closedIdle;
    final AtomicCounter closedEvicted;
    final AtomicCounter framesIn;
    final AtomicCounter framesConverted;
    final AtomicCounter framesOut;
    final AtomicCounter errorsOut;
    final AtomicCounter bytesIn;
    final AtomicCounter bytesOut;
    final AtomicCounter pings;
    final AtomicCounter keyframeRequests;
    final AtomicCounter configRequests;
    final AtomicCounter skipped;
    final AtomicCounter inFlight;
    final AtomicCounter backpressure;
    final AtomicCounter refusedForMemory;
    final AtomicCounter encoderOpens;
    final AtomicCounter agentErrors;
    final AtomicCounter framesInBand;
    final AtomicCounter bytesInBand;
    final AtomicCounter framesByReference;
    final AtomicCounter bytesByReference;
    final AtomicCounter hellos;
    final AtomicCounter poolsRegistered;
    final AtomicCounter poolsMapped;

    public EngineCounters(CountersFile file) {
        this.file = file;
        manager = file.newCountersManager();
        for (CounterId id : CounterId.values()) {
            byId.put(id, manager.newCounter(id.label(), id.ordinal()));
        }
        errorLog = new DistinctErrorLog(file.errorLogBuffer(), SystemEpochClock.INSTANCE);
        active = get(CounterId.CONNECTIONS_ACTIVE);
        accepted = get(CounterId.CONNECTIONS_ACCEPTED);
        refused = get(CounterId.CONNECTIONS_REFUSED);
        closedByPeer = get(CounterId.CONNECTIONS_CLOSED_BY_PEER);
        closedFault = get(CounterId.CONNECTIONS_CLOSED_FAULT);
        stalled = get(CounterId.CONNECTIONS_STALLED);
        closedTooSlow = get(CounterId.CONNECTIONS_TOO_SLOW);
        closedIdle = get(CounterId.CONNECTIONS_IDLE);
        closedEvicted = get(CounterId.CONNECTIONS_EVICTED);
        framesIn = get(CounterId.FRAMES_IN);
        framesConverted = get(CounterId.FRAMES_CONVERTED_ON_ARRIVAL);
        framesOut = get(CounterId.FRAMES_OUT);
        errorsOut = get(CounterId.ERRORS_OUT);
        bytesIn = get(CounterId.BYTES_IN);
        bytesOut = get(CounterId.BYTES_OUT);
        pings = get(CounterId.PINGS);
        keyframeRequests = get(CounterId.KEYFRAME_REQUESTS);
        configRequests = get(CounterId.CONFIG_REQUESTS);
        skipped = get(CounterId.MESSAGES_SKIPPED);
        inFlight = get(CounterId.IN_FLIGHT);
        backpressure = get(CounterId.BACKPRESSURE);
        refusedForMemory = get(CounterId.FRAMES_REFUSED_MEMORY);
        encoderOpens = get(CounterId.ENCODER_OPENS);
        agentErrors = get(CounterId.AGENT_ERRORS);
        framesInBand = get(CounterId.FRAMES_IN_BAND);
        bytesInBand = get(CounterId.BYTES_IN_BAND);
        framesByReference = get(CounterId.FRAMES_BY_REFERENCE);
        bytesByReference = get(CounterId.BYTES_BY_REFERENCE);
        hellos = get(CounterId.HELLOS);
        poolsRegistered = get(CounterId.POOLS_REGISTERED);
        poolsMapped = get(CounterId.POOLS_MAPPED);
    }

    public AtomicCounter get(CounterId id) {
        return byId.get(id);
    }

    /** Type id of the counters allocated per session (fixed counters use their {@link CounterId} ordinal). */
    static final int SESSION_COUNTER_TYPE = 1000;

    /**
     * A counter of one session's own, e.g. its frame memory, shown by {@code stat} while the session is open; null
     * when the counters file has no room left (the engine-wide counters still say everything but the split).
     * Not for the hot path: allocates. Free it with {@link #free}. Synchronized: every I/O agent opens sessions.
     */
    synchronized AtomicCounter newSessionCounter(String label) {
        try {
            return manager.newCounter(label, SESSION_COUNTER_TYPE);
        } catch (IllegalStateException full) {
            return null;
        }
    }

    synchronized void free(AtomicCounter counter) {
        if (counter != null) {
            counter.close();
        }
    }

    AtomicCounter forErrorCode(int code) {
        return byId.get(CounterId.forErrorCode(code));
    }

    /** Records a failure description in the distinct-error log (counted, with first and last time). */
    public void recordDistinct(CharSequence message) {
        errorLog.record(new DistinctFailure(message.toString()));
    }

    public void recordDistinct(Throwable t) {
        errorLog.record(t);
    }

    void publishLatency(Histogram latency, Histogram encode) {
        if (latency.getTotalCount() > 0) {
            get(CounterId.LATENCY_US_P50).setRelease(latency.getValueAtPercentile(50) / 1000);
            get(CounterId.LATENCY_US_P99).setRelease(latency.getValueAtPercentile(99) / 1000);
            get(CounterId.LATENCY_US_MAX).setRelease(latency.getMaxValue() / 1000);
        }
        if (encode.getTotalCount() > 0) {
            get(CounterId.ENCODE_US_P50).setRelease(encode.getValueAtPercentile(50) / 1000);
            get(CounterId.ENCODE_US_P99).setRelease(encode.getValueAtPercentile(99) / 1000);
            get(CounterId.ENCODE_US_MAX).setRelease(encode.getMaxValue() / 1000);
        }
    }

    void publishStage(Stage stage, Histogram h) {
        if (h.getTotalCount() > 0) {
            get(stage.p50).setRelease(h.getValueAtPercentile(50) / 1000);
            get(stage.p99).setRelease(h.getValueAtPercentile(99) / 1000);
        }
    }

    public CountersFile file() {
        return file;
    }

    @Override
    public void close() {
        file.close();
    }

    /** A failure that is a message, not a bug: no stack trace, so records with equal text are one entry. */
    static final class DistinctFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DistinctFailure(String message) {
            super(message, null, false, false);
        }
    }
}

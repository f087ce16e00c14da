package dev.framebridge.engine;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Request-to-answer and encode times, recorded by the I/O agent (wait-free, allocation-free) and turned into the
 * counters' percentiles once a second on a thread of its own. Computing a percentile scans the histogram's ~27,000
 * buckets — ~100 µs that must not sit between a request and its answer on the I/O thread.
 */
final class LatencyPublisher implements AutoCloseable {
    private static final long HIGHEST_NS = 60_000_000_000L;
    private static final long INTERVAL_MS = 1_000;

    private final SingleWriterRecorder latency = new SingleWriterRecorder(HIGHEST_NS, 3);
    private final SingleWriterRecorder encode = new SingleWriterRecorder(HIGHEST_NS, 3);
    private final EngineCounters counters;
    private final Thread thread;
    private Histogram latencyInterval;
    private Histogram encodeInterval;
    private final Histogram latencyTotal = new Histogram(HIGHEST_NS, 3);
    private final Histogram encodeTotal = new Histogram(HIGHEST_NS, 3);
    private volatile boolean running = true;

    LatencyPublisher(EngineCounters counters) {
        this.counters = counters;
        this.thread = Thread.ofPlatform().name("framebridge-stats").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** I/O thread: from the last request byte read to the last answer byte written. */
    void recordLatency(long nanos) {
        latency.recordValue(Math.min(HIGHEST_NS, Math.max(0, nanos)));
    }

    /** I/O thread: the encoder's own time for a frame. */
    void recordEncode(long nanos) {
        encode.recordValue(Math.min(HIGHEST_NS, Math.max(0, nanos)));
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                break;
            }
            publish();
        }
        publish();
    }

    private void publish() {
        latencyInterval = latency.getIntervalHistogram(latencyInterval);
        encodeInterval = encode.getIntervalHistogram(encodeInterval);
        latencyTotal.add(latencyInterval);
        encodeTotal.add(encodeInterval);
        counters.publishLatency(latencyTotal, encodeTotal);
    }

    /** Publishes what was recorded last and stops (before the counters file closes). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

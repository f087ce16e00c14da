package dev.framebridge.engine;

import dev.framebridge.frame.FrameSlot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Request-to-answer and encode times, recorded by the I/O agents (wait-free, allocation-free, several writers: one
 * per I/O agent) and turned into the
 * counters' percentiles once a second on a thread of its own. Computing a percentile scans the histogram's ~27,000
 * buckets — ~100 µs that must not sit between a request and its answer on the I/O thread.
 */
final class LatencyPublisher implements AutoCloseable {
    private static final long HIGHEST_NS = 60_000_000_000L;
    private static final long INTERVAL_MS = 1_000;

    private final Recorder latency = new Recorder(HIGHEST_NS, 3);
    private final Recorder encode = new Recorder(HIGHEST_NS, 3);
    private final EngineCounters counters;
    private final Thread thread;
    private Histogram latencyInterval;
    private Histogram encodeInterval;
    private final Histogram latencyTotal = new Histogram(HIGHEST_NS, 3);
    private final Histogram encodeTotal = new Histogram(HIGHEST_NS, 3);
    private volatile boolean running = true;
    /** Per {@link Stage}: recorded by the I/O agent when a frame's answer is written. */
    private final Recorder[] stages = new Recorder[Stage.ALL.length];
    private final Histogram[] stageIntervals = new Histogram[Stage.ALL.length];
    private final Histogram[] stageTotals = new Histogram[Stage.ALL.length];

    LatencyPublisher(EngineCounters counters) {
        this.counters = counters;
        for (int i = 0; i < stages.length; i++) {
            stages[i] = new Recorder(HIGHEST_NS, 3);
            stageTotals[i] = new Histogram(HIGHEST_NS, 3);
        }
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

    /** I/O thread: a frame's answer was written whole at {@code writtenNanos}; records each stage of its time. */
    void recordStages(FrameSlot slot, long writtenNanos) {
        for (int i = 0; i < stages.length; i++) {
            stages[i].recordValue(Math.min(HIGHEST_NS, Math.max(0, Stage.ALL[i].nanos(slot, writtenNanos))));
        }
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

    /** Tests: publishes now what was recorded, on the caller's thread (the publisher thread not started). */
    void publishNow() {
        publish();
    }

    /** Tests: every value recorded for the stage so far, as of the last publish. */
    Histogram stageTotal(Stage stage) {
        return stageTotals[stage.ordinal()];
    }

    private void publish() {
        latencyInterval = latency.getIntervalHistogram(latencyInterval);
        encodeInterval = encode.getIntervalHistogram(encodeInterval);
        latencyTotal.add(latencyInterval);
        encodeTotal.add(encodeInterval);
        counters.publishLatency(latencyTotal, encodeTotal);
        for (int i = 0; i < stages.length; i++) {
            stageIntervals[i] = stages[i].getIntervalHistogram(stageIntervals[i]);
            stageTotals[i].add(stageIntervals[i]);
            counters.publishStage(Stage.ALL[i], stageTotals[i]);
        }
    }

    /**
     * Publishes what was recorded last and stops (before the counters file closes). Waits for the thread even when
     * the caller is interrupted (a JUnit timeout, an executor shut down): returning early would let the counters
     * file be unmapped under the thread's last publish, a SIGSEGV that takes the whole JVM down. The caller's
     * interrupt is kept.
     */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

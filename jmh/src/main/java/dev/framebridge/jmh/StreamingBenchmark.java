package dev.framebridge.jmh;

import java.io.IOException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;

/**
 * What the socket benchmarks share: the engine parameters, the per-iteration bookkeeping of {@link RoundTrips}
 * (percentiles and allocation of the measurement iterations only) and closing everything at the end of the trial.
 * A subclass opens {@link #frames} and {@link #trips} in its trial setup and drives {@code trips.frame()}.
 */
@State(Scope.Thread)
public abstract class StreamingBenchmark {
    @Param({"1280x720", "1920x1080"})
    public String size;

    /** The engine's idle strategy: default (spin, then park), spin, yield or backoff. */
    @Param({"default"})
    public String idle;

    /** Encode agents: auto (what serve uses: inline on ≤ 2 cores), 0 (inline: no hand-off) or a thread count. */
    @Param({"auto"})
    public String encodeThreads;

    protected Frames frames;
    protected RoundTrips trips;

    @Setup(Level.Iteration)
    public void iterationStart() {
        trips.iterationStart();
    }

    @TearDown(Level.Iteration)
    public void iterationEnd(IterationParams params) {
        trips.iterationEnd(params);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        trips.close();
        frames.close();
    }
}

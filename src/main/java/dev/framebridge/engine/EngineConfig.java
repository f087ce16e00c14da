package dev.framebridge.engine;

import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.ProtocolLimits;
import dev.framebridge.transport.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Everything the engine is started with, with the defaults that serve a real VM out of the box. Fluent
 * setters; {@link #conclude()} validates once before start.
 */
public final class EngineConfig {
    public static final int DEFAULT_MAX_IN_FLIGHT = 2;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final long DEFAULT_STALL_TIMEOUT_MS = 10_000;
    public static final List<String> IDLE_STRATEGIES = List.of("default", "spin", "yield", "backoff");

    private final List<Endpoint> listen = new ArrayList<>();
    private final List<Endpoint> optionalListen = new ArrayList<>();
    private String encoder = "auto";
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long maxPayload = Hxfr.MAX_PAYLOAD;
    private int maxDimension = ProtocolLimits.DEFAULT_MAX_DIMENSION;
    private long stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS;
    private String idle = "default";
    private int encodeAgents = defaultEncodeAgents(Runtime.getRuntime().availableProcessors());
    private Path countersFile = CountersFile.defaultPath();
    private int unixMode = 0600;
    private String unixGroup;
    private Set<Integer> vsockAllowedCids = Set.of();
    private int bitrate;
    private int fpsNum = 30;
    private int fpsDen = 1;
    private int keyint = 60;
    private int profile = 77;
    private String preset = "ultrafast";
    private int encoderThreads;
    private SingleWriterRecorder latencyRecorder;
    private boolean convertOnArrival = true;

    public List<Endpoint> listen() {
        return listen;
    }

    public EngineConfig listen(Endpoint endpoint) {
        listen.add(endpoint);
        return this;
    }

    /** Endpoints to listen on if possible: one that cannot be bound is reported and skipped (the defaults). */
    public List<Endpoint> optionalListen() {
        return optionalListen;
    }

    public EngineConfig listenIfPossible(Endpoint endpoint) {
        optionalListen.add(endpoint);
        return this;
    }

    public String encoder() {
        return encoder;
    }

    public EngineConfig encoder(String name) {
        this.encoder = name;
        return this;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public EngineConfig maxInFlight(int n) {
        this.maxInFlight = n;
        return this;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public EngineConfig maxConnections(int n) {
        this.maxConnections = n;
        return this;
    }

    public long maxPayload() {
        return maxPayload;
    }

    public EngineConfig maxPayload(long bytes) {
        this.maxPayload = bytes;
        return this;
    }

    public int maxDimension() {
        return maxDimension;
    }

    public EngineConfig maxDimension(int pixels) {
        this.maxDimension = pixels;
        return this;
    }

    public long stallTimeoutMs() {
        return stallTimeoutMs;
    }

    public EngineConfig stallTimeoutMs(long ms) {
        this.stallTimeoutMs = ms;
        return this;
    }

    public String idle() {
        return idle;
    }

    public EngineConfig idle(String name) {
        this.idle = name;
        return this;
    }

    public int encodeAgents() {
        return encodeAgents;
    }

    public EngineConfig encodeAgents(int n) {
        this.encodeAgents = n;
        return this;
    }

    /**
     * Inline (0) on one or two cores: a frame's hand-off to another thread and back costs more there than it saves
     * (measured at 1080p with a stand-in encoder: server-side p99 71 µs inline against 248 µs with an encode
     * thread, see jmh/README.md). With more cores, one encode thread per four cores spreads sessions.
     */
    public static int defaultEncodeAgents(int cores) {
        return cores <= 2 ? 0 : Math.max(1, cores / 4);
    }

    public Path countersFile() {
        return countersFile;
    }

    public EngineConfig countersFile(Path path) {
        this.countersFile = path;
        return this;
    }

    public int unixMode() {
        return unixMode;
    }

    public EngineConfig unixMode(int mode) {
        this.unixMode = mode;
        return this;
    }

    public String unixGroup() {
        return unixGroup;
    }

    public EngineConfig unixGroup(String group) {
        this.unixGroup = group;
        return this;
    }

    public Set<Integer> vsockAllowedCids() {
        return vsockAllowedCids;
    }

    public EngineConfig vsockAllowedCids(Set<Integer> cids) {
        this.vsockAllowedCids = Set.copyOf(cids);
        return this;
    }

    public int bitrate() {
        return bitrate;
    }

    /** Bits per second; 0 scales with the frame size (8 Mbit/s floor). */
    public EngineConfig bitrate(int bps) {
        this.bitrate = bps;
        return this;
    }

    public int fpsNum() {
        return fpsNum;
    }

    public int fpsDen() {
        return fpsDen;
    }

    public EngineConfig fps(int num, int den) {
        this.fpsNum = num;
        this.fpsDen = den;
        return this;
    }

    public int keyint() {
        return keyint;
    }

    public EngineConfig keyint(int frames) {
        this.keyint = frames;
        return this;
    }

    public int profile() {
        return profile;
    }

    public EngineConfig profile(int profileIdc) {
        this.profile = profileIdc;
        return this;
    }

    public String preset() {
        return preset;
    }

    public EngineConfig preset(String name) {
        this.preset = name;
        return this;
    }

    public int encoderThreads() {
        return encoderThreads;
    }

    public EngineConfig encoderThreads(int n) {
        this.encoderThreads = n;
        return this;
    }



    public boolean convertOnArrival() {
        return convertOnArrival;
    }

    /**
     * Convert BGRA/RGBA frames to the encoder's NV12 on the I/O thread as their rows arrive (default; only with a
     * backend that takes converted frames) instead of in the encode call. Off is for measuring the difference.
     */
    public EngineConfig convertOnArrival(boolean on) {
        this.convertOnArrival = on;
        return this;
    }

    public SingleWriterRecorder latencyRecorder() {
        return latencyRecorder;
    }

    /**
     * Also records every request-to-answer time (ns, from the last request byte read to the last answer byte
     * written) into {@code recorder}, whose single writer is the I/O agent; its owner takes interval histograms
     * whenever it likes. For embedders and benchmarks: the counters file only carries cumulative percentiles.
     */
    public EngineConfig latencyRecorder(SingleWriterRecorder recorder) {
        this.latencyRecorder = recorder;
        return this;
    }

    public ProtocolLimits limits() {
        return new ProtocolLimits(maxPayload, maxDimension, false);
    }

    /** Validates every setting once; throws IllegalArgumentException naming the bad option. */
    public EngineConfig conclude() {
        if (listen.isEmpty() && optionalListen.isEmpty()) {
            throw new IllegalArgumentException("nothing to listen on: give at least one --listen ENDPOINT");
        }
        require(maxInFlight >= 1 && maxInFlight <= 64, "--max-in-flight " + maxInFlight + " must be within 1..64");
        require(maxConnections >= 1 && maxConnections <= 4096, "--max-connections " + maxConnections + " must be within 1..4096");
        require(stallTimeoutMs >= 1, "--stall-timeout " + stallTimeoutMs + " ms must be positive");
        require(IDLE_STRATEGIES.contains(idle), "--idle " + idle + " unknown: use one of " + IDLE_STRATEGIES);
        require(encodeAgents >= 0 && encodeAgents <= 64, "--encode-threads " + encodeAgents
                + " must be within 0..64 (0 encodes on the I/O thread)");
        require(bitrate >= 0, "--bitrate " + bitrate + " must not be negative (0 scales with the frame)");
        require(fpsNum > 0 && fpsDen > 0, "--fps " + fpsNum + "/" + fpsDen + " must be positive");
        require(keyint >= 1, "--keyint " + keyint + " must be at least 1");
        require(profile == 66 || profile == 77 || profile == 100, "--profile " + profile + " unsupported: use 66, 77 or 100");
        require((unixMode & ~0777) == 0, "--unix-mode must be an octal permission like 600");
        limits(); // validates payload and dimension bounds
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}

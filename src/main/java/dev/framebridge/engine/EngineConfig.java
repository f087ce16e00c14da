package dev.framebridge.engine;

import dev.framebridge.frame.HostRegion;
import dev.framebridge.protocol.H264Profile;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.ProtocolLimits;
import dev.framebridge.push.Scanouts;
import dev.framebridge.transport.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Everything the engine is started with, with the defaults that serve a real VM out of the box. Fluent
 * setters; {@link #conclude()} validates once before start.
 */
public final class EngineConfig {
    public static final int DEFAULT_MAX_IN_FLIGHT = 2;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_MAX_POOLS = 8;
    public static final long DEFAULT_STALL_TIMEOUT_MS = 10_000;
    /** Frame memory kept for the next sessions after theirs close: two 1080p BGRA frames and their NV12 copies. */
    public static final long DEFAULT_FRAME_MEMORY_RESERVE = 32L << 20;
    /** The smallest frame memory limit accepted (a 512x512 BGRA frame, converted, with room to spare). */
    public static final long MIN_FRAME_MEMORY = 1L << 20;
    /** The reference host closed connections idle this long. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    /** A message in progress must bring at least this many bytes per window (a 10 bytes/s trickle is closed). */
    public static final long DEFAULT_MIN_RECEIVE_BYTES = 16 * 1024;
    public static final long DEFAULT_RECEIVE_WINDOW_MS = 10_000;
    public static final List<String> IDLE_STRATEGIES = List.of("default", "spin", "yield", "backoff");

    private final List<Endpoint> listen = new ArrayList<>();
    private final List<Endpoint> optionalListen = new ArrayList<>();
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private final List<HostRegion> regions = new ArrayList<>();
    private int maxPools = DEFAULT_MAX_POOLS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long maxPayload = Hxfr.MAX_PAYLOAD;
    private int maxDimension = ProtocolLimits.DEFAULT_MAX_DIMENSION;
    private long stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS;
    private long maxFrameMemory; // 0: derived from the in-flight window and max payload
    private long maxFrameMemoryPerConnection; // 0: derived
    /** -1: the default, 32 MiB or --max-frame-memory where that is smaller. */
    private long frameMemoryReserve = -1;
    private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    private long minReceiveBytes = DEFAULT_MIN_RECEIVE_BYTES;
    private long receiveWindowMs = DEFAULT_RECEIVE_WINDOW_MS;
    private String idle = "default";
    private int encodeAgents = defaultEncodeAgents(Runtime.getRuntime().availableProcessors());
    static final int MAX_IO_AGENTS = 64;
    private int ioAgents = 1;
    private Path countersFile = CountersFile.defaultPath();
    private int unixMode = 0600;
    private String unixGroup;
    private Set<Integer> vsockAllowedCids = Set.of();
    private int bitrate;
    private int fpsNum = 30;
    private int fpsDen = 1;
    private int keyint = 60;
    private int profile = H264Profile.MAIN.idc();
    private String preset = "ultrafast";
    private int encoderThreads;
    private int threadBudgetCores = Runtime.getRuntime().availableProcessors();
    private SingleWriterRecorder latencyRecorder;
    private boolean convertOnArrival = true;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    // push mode (issue 15): QEMU's D-Bus display, or scanouts a test or an embedder feeds
    private String qemuDisplay;
    private int pushFps = 60;
    private Scanouts scanouts;

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

    /**
     * Frame memory one connection may hold (its slots' pixels and their NV12 copies). Default: every request of
     * the in-flight window at the largest payload, plus half again for the converted copy (NV12 is 3/8 of BGRA)
     * — 192 MiB at the defaults — so any frame the protocol limits allow fits, and no more than that.
     */
    public long maxFrameMemoryPerConnection() {
        if (maxFrameMemoryPerConnection > 0) {
            return maxFrameMemoryPerConnection;
        }
        long derived = maxInFlight * maxPayload / 2 * 3;
        return maxFrameMemory > 0 ? Math.min(derived, maxFrameMemory) : derived;
    }

    public EngineConfig maxFrameMemoryPerConnection(long bytes) {
        this.maxFrameMemoryPerConnection = bytes;
        return this;
    }

    /**
     * Frame memory all connections together may hold, the warm reserve included. Default: eight connections' worth
     * of in-flight requests at the largest payload — 1 GiB at the defaults (about 44 sessions of 1080p BGRA) — and
     * never less than one connection's limit.
     */
    public long maxFrameMemory() {
        if (maxFrameMemory > 0) {
            return maxFrameMemory;
        }
        return Math.max(8L * maxInFlight * maxPayload, maxFrameMemoryPerConnection);
    }

    public EngineConfig maxFrameMemory(long bytes) {
        this.maxFrameMemory = bytes;
        return this;
    }

    /** Frame memory kept (mapped, warm) for the next sessions after theirs close; the rest goes back to the system. */
    public long frameMemoryReserve() {
        return frameMemoryReserve >= 0 ? frameMemoryReserve : Math.min(DEFAULT_FRAME_MEMORY_RESERVE, maxFrameMemory());
    }

    public EngineConfig frameMemoryReserve(long bytes) {
        this.frameMemoryReserve = bytes;
        return this;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    /** Close a connection with nothing in flight and nothing arriving for this long. */
    public EngineConfig idleTimeoutMs(long ms) {
        this.idleTimeoutMs = ms;
        return this;
    }

    public long minReceiveBytes() {
        return minReceiveBytes;
    }

    public long receiveWindowMs() {
        return receiveWindowMs;
    }

    /**
     * The slowest a message may arrive: once its first byte is in, every {@code windowMs} must bring at least
     * {@code bytes} more (or the message's end), else the connection is closed. 0 bytes turns the rule off (the
     * stall timeout, which needs total silence, still applies).
     */
    public EngineConfig minReceiveRate(long bytes, long windowMs) {
        this.minReceiveBytes = bytes;
        this.receiveWindowMs = windowMs;
        return this;
    }

    public String idle() {
        return idle;
    }

    public EngineConfig idle(String name) {
        this.idle = name;
        return this;
    }

    public int ioAgents() {
        return ioAgents;
    }

    /**
     * I/O agents (threads that read sockets); connections are spread over them as they arrive, each with its own epoll
     * and encode agents. 1 by default here (the embedding default); {@code serve --io-agents auto} picks
     * {@link #defaultIoAgents}.
     */
    public EngineConfig ioAgents(int n) {
        this.ioAgents = n;
        return this;
    }

    /**
     * serve's layout default: one I/O agent per core, each encoding its own sessions inline (no encode threads), so
     * each guest gets a thread that receives, converts and encodes — the shape of N plain encoder processes — and one
     * guest keeps the single inline agent's latency (it always lands on agent 0). Measured on 2 cores (jmh/README.md,
     * "Scaling"); on many cores it is the expectation, not yet measured.
     */
    public static int defaultIoAgents(int cores, int maxConnections) {
        return Math.max(1, Math.min(Math.min(cores, MAX_IO_AGENTS), maxConnections));
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

    /** The cores the encoder thread budget divides among open encoders (see EncoderThreadBudget). */
    public int threadBudgetCores() {
        return threadBudgetCores;
    }

    public EngineConfig threadBudgetCores(int cores) {
        this.threadBudgetCores = Math.max(1, cores);
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

    /** Host regions clients may register as pools by name ({@code --region NAME=PATH[:SIZE]}), mapped at start. */
    public List<HostRegion> regions() {
        return regions;
    }

    public EngineConfig region(HostRegion region) {
        for (HostRegion r : regions) {
            if (r.name().equals(region.name())) {
                throw new IllegalArgumentException("--region " + region.name() + " is given twice");
            }
        }
        regions.add(region);
        return this;
    }

    /** Pools one connection may have registered at once (frames by reference). */
    public int maxPools() {
        return maxPools;
    }

    public EngineConfig maxPools(int n) {
        this.maxPools = n;
        return this;
    }

    public NanoClock clock() {
        return clock;
    }

    /**
     * The clock the agents read (once per duty cycle, and for latencies); the system's by default. Tests pass one
     * they advance by hand ({@link org.agrona.concurrent.CachedNanoClock}) to reach timeouts without waiting.
     */
    public EngineConfig clock(NanoClock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** QEMU's QMP socket (peer to peer) or D-Bus bus address ({@code unix:path=BUS}) to push from; null: no push. */
    public String qemuDisplay() {
        return qemuDisplay;
    }

    public EngineConfig qemuDisplay(String address) {
        this.qemuDisplay = address;
        return this;
    }

    /** At most this many pushed frames a second per scanout (one encode shared by its subscribers). */
    public int pushFps() {
        return pushFps;
    }

    public EngineConfig pushFps(int fps) {
        this.pushFps = fps;
        return this;
    }

    /** Scanouts fed by the caller, who closes them (tests, embedding); null: attach {@link #qemuDisplay()} or none. */
    public Scanouts scanouts() {
        return scanouts;
    }

    public EngineConfig scanouts(Scanouts s) {
        this.scanouts = s;
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
        require(maxFrameMemory == 0 || maxFrameMemory >= MIN_FRAME_MEMORY, "--max-frame-memory " + maxFrameMemory
                + " must be at least " + MIN_FRAME_MEMORY + " bytes (1M)");
        require(maxFrameMemoryPerConnection == 0 || maxFrameMemoryPerConnection >= MIN_FRAME_MEMORY,
                "--max-frame-memory-per-connection " + maxFrameMemoryPerConnection + " must be at least "
                        + MIN_FRAME_MEMORY + " bytes (1M)");
        require(maxFrameMemoryPerConnection() <= maxFrameMemory(), "--max-frame-memory-per-connection "
                + maxFrameMemoryPerConnection() + " exceeds --max-frame-memory " + maxFrameMemory()
                + ": one connection cannot hold more than all of them");
        require(frameMemoryReserve() >= 0 && frameMemoryReserve() <= maxFrameMemory(), "--frame-memory-reserve "
                + frameMemoryReserve() + " must be within 0.." + maxFrameMemory() + " (--max-frame-memory)");
        require(idleTimeoutMs >= 1, "--idle-timeout " + idleTimeoutMs + " ms must be positive");
        require(minReceiveBytes >= 0 && receiveWindowMs >= 1, "--min-receive-rate " + minReceiveBytes + "/"
                + receiveWindowMs + " ms: bytes must not be negative and the window must be positive");
        require(IDLE_STRATEGIES.contains(idle), "--idle " + idle + " unknown: use one of " + IDLE_STRATEGIES);
        require(encoderThreads >= 0 && encoderThreads <= 256, "--encoder-threads " + encoderThreads
                + " must be within 0..256 (0: the host's budget, max(1, cores / open sessions) each)");
        require(encodeAgents >= 0 && encodeAgents <= 64, "--encode-threads " + encodeAgents
                + " must be within 0..64 (0 encodes on the I/O thread)");
        require(ioAgents >= 1 && ioAgents <= MAX_IO_AGENTS, "--io-agents " + ioAgents + " must be within 1.."
                + MAX_IO_AGENTS);
        require(ioAgents <= maxConnections, "--io-agents " + ioAgents + " exceeds --max-connections " + maxConnections
                + ": every I/O agent needs a connection of its own; give fewer agents or more connections");
        require(encodeAgents == 0 || encodeAgents >= ioAgents, "--encode-threads " + encodeAgents + " with --io-agents "
                + ioAgents + ": each I/O agent needs an encode thread of its own, or none (--encode-threads 0 encodes"
                + " on the I/O agents' threads); give --encode-threads 0 or at least " + ioAgents);
        require(latencyRecorder == null || ioAgents == 1, "latencyRecorder is a single-writer recorder: it needs"
                + " ioAgents 1 (with " + ioAgents + " I/O agents it would have several writers)");
        require(bitrate >= 0, "--bitrate " + bitrate + " must not be negative (0 scales with the frame)");
        require(fpsNum > 0 && fpsDen > 0, "--fps " + fpsNum + "/" + fpsDen + " must be positive");
        require(keyint >= 1, "--keyint " + keyint + " must be at least 1");
        require(H264Profile.ofIdc(profile) != null, "--profile " + profile + " unsupported: use " + H264Profile.CHOICES);
        require((unixMode & ~0777) == 0, "--unix-mode must be an octal permission like 600");
        require(pushFps >= 1 && pushFps <= 240, "--push-fps " + pushFps + " must be within 1..240");
        require(qemuDisplay == null || !qemuDisplay.isBlank(), "--qemu-display needs QEMU's QMP socket path or a bus"
                + " address unix:path=BUS");
        require(maxPools >= 1 && maxPools <= 64, "--max-pools " + maxPools + " must be within 1..64");
        limits(); // validates payload and dimension bounds
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}

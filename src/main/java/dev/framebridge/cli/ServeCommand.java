package dev.framebridge.cli;

import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.engine.CountersFile;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.frame.HostRegion;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.protocol.H264Profile;
import dev.framebridge.engine.RuntimeDirectory;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framebridge serve}: the host engine. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the host engine: accept HXFR clients (vsockenc or framebridge's own) and answer every frame "
                + "request with an H.264 access unit, in order.",
                "",
                "Without --listen it listens on vsock:any:5000 (when this kernel has AF_VSOCK), tcp:127.0.0.1:15937 "
                        + "and unix:" + "$XDG_RUNTIME_DIR/framebridge/hxfr.sock (or /dev/shm/framebridge-$USER/hxfr.sock, a"
                        + " directory it creates 0700 and refuses if another user owns it or could write to it).",
                "A default endpoint that is busy (another process listens there) stops it with exit 3, naming the"
                        + " holder where it can: a guest aimed there would reach someone else. --allow-missing-defaults"
                        + " serves on the other defaults instead (with a warning).",
                "Stops cleanly on SIGINT/SIGTERM: stops accepting, answers what is in flight, removes its sockets."},
        footer = {"", "Endpoints: vsock:CID:PORT (vsock:any:5000), tcp:HOST:PORT, unix:PATH, hvsock:UDS_PATH:PORT "
                + "(Firecracker/Cloud Hypervisor: listens on UDS_PATH_PORT).",
                "Every option can also come from --config FILE (key = long option name without dashes).",
                "Exit codes: 0 stopped cleanly, 1 could not start (the message says why), 2 bad usage, 3 a default"
                        + " endpoint is busy or cannot be bound (without --allow-missing-defaults)."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "ENDPOINT", split = ",",
            description = "Endpoint to listen on (repeatable; replaces the defaults).")
    List<String> listen;

    @Option(names = "--encoder", defaultValue = "auto", paramLabel = "NAME",
            description = "Encoder backend: auto (first that passes a test encode: h264_videotoolbox; h264_vaapi, h264_nvenc,"
                    + " h264_qsv; x264) or a name (also libx264; `framebridge encoders` lists them). Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--bitrate", defaultValue = "0", paramLabel = "BPS",
            description = "Target bits/s; 0 scales with the frame (~4 bits/pixel/s, 8 Mbit/s floor). CONFIG_REQ overrides.")
    int bitrate;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "N[/D]", converter = CliValues.FrameRateConverter.class,
            description = "Frame rate for rate control (30000/1001 for 29.97). Default: ${DEFAULT-VALUE}.")
    CliValues.FrameRate fps;

    @Option(names = "--keyint", defaultValue = "60", paramLabel = "FRAMES", description = "An IDR at least every this many frames. Default: ${DEFAULT-VALUE}.")
    int keyint;

    @Option(names = "--profile", defaultValue = "main", paramLabel = "NAME",
            description = "H.264 profile: baseline, main or high (or 66, 77, 100). Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--preset", defaultValue = "ultrafast", paramLabel = "NAME", description = "Encoder speed preset (x264: ultrafast…medium). Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--encoder-threads", defaultValue = "0", paramLabel = "N", description = "Threads inside each encoder; 0 = the host's budget: max(1, cores / open sessions) sliced "
            + "threads each, decided when a session's encoder opens and revisited at its next IDR.")
    int encoderThreads;

    @Option(names = "--convert-at", defaultValue = "arrival", paramLabel = "WHERE",
            description = "Where BGRA/RGBA frames become NV12: arrival (on the I/O thread, row bands as they arrive: nothing "
                    + "left to convert when the last byte is in) or encoder (in the encode agent's call: takes that work off "
                    + "the one I/O thread when encode threads are many; jmh/scaling measures both). Default: ${DEFAULT-VALUE}.")
    String convertAt;

    @Option(names = "--encode-threads", defaultValue = "auto", paramLabel = "N",
            description = "Encode agents (threads); sessions are spread over them. 0 encodes on the I/O agents' threads (no "
                    + "hand-off between threads). auto: 0 (each I/O agent encodes its own sessions). With several I/O "
                    + "agents, 0 or at least one per agent. Default: ${DEFAULT-VALUE}.")
    String encodeThreads;

    @Option(names = "--io-agents", defaultValue = "auto", paramLabel = "N",
            description = "I/O agents (threads reading sockets); each new connection goes to the one with the most free "
                    + "sessions, which receives, converts and (with --encode-threads 0) encodes it. auto: one per core "
                    + "(at most --max-connections) when encoding inline, else 1. Default: ${DEFAULT-VALUE}.")
    String ioAgents;

    @Option(names = "--max-in-flight", defaultValue = "2", paramLabel = "K",
            description = "Requests in flight per connection before reading it pauses (back-pressure). Default: ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(names = "--max-connections", defaultValue = "64", paramLabel = "N", description = "Connections at once; more are refused with an ERROR. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-payload", defaultValue = "67108864", paramLabel = "BYTES",
            description = "Largest payload_size accepted; larger closes the connection. Default: ${DEFAULT-VALUE} (64 MiB).")
    long maxPayload;

    @Option(names = "--max-frame-memory", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Frame memory of all connections together (pixels received and their NV12 copies, and the warm "
                    + "reserve); a frame that would pass it is answered with ERROR. Default: 8 x max-in-flight x "
                    + "max-payload (1G).")
    Long maxFrameMemory;

    @Option(names = "--max-frame-memory-per-connection", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Frame memory one connection may hold; a frame that would pass it is answered with ERROR. "
                    + "Default: max-in-flight x max-payload x 3/2 (192M).")
    Long maxFrameMemoryPerConnection;

    @Option(names = "--frame-memory-reserve", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Frame memory kept for the next sessions when sessions close; the rest goes back to the "
                    + "system. Default: 32M, or --max-frame-memory where that is smaller.")
    Long frameMemoryReserve;

    @Option(names = "--max-dimension", defaultValue = "8192", paramLabel = "PIXELS", description = "Largest frame width or height. Default: ${DEFAULT-VALUE}.")
    int maxDimension;

    @Option(names = "--stall-timeout", defaultValue = "10000", paramLabel = "MS",
            description = "Close a connection whose message stops half-way for this long. Default: ${DEFAULT-VALUE}.")
    long stallTimeoutMs;

    @Option(names = "--idle-timeout", defaultValue = "30000", paramLabel = "MS",
            description = "Close a connection with nothing in flight and nothing arriving for this long. Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMs;

    @Option(names = "--min-receive-rate", defaultValue = "16384/10", paramLabel = "BYTES/SECONDS",
            description = "Close a connection whose message in progress brings fewer than BYTES in any SECONDS "
                    + "(a slow sender holding a connection); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    String minReceiveRate;

    @Option(names = "--idle", defaultValue = "default", paramLabel = "STRATEGY",
            description = "Idle strategy: default (spin briefly, then park in epoll: ~0%% CPU idle), spin (lowest latency, a core each), yield, backoff.")
    String idle;

    @Option(names = "--region", paramLabel = "NAME=PATH[:SIZE]",
            description = "A host memory region clients may register as a pool by name (frames by reference over vsock"
                    + " or TCP), e.g. the file behind a QEMU memory-backend-file used by ivshmem-plain; mapped read-only"
                    + " at start (repeatable). SIZE in bytes or with K, M, G; default the whole file.")
    List<String> regions;

    @Option(names = "--max-pools", defaultValue = "8", paramLabel = "N",
            description = "Buffer pools one connection may have registered at once (frames by reference). Default: ${DEFAULT-VALUE}.")
    int maxPools;

    @Option(names = "--qemu-display", paramLabel = "ADDR",
            description = "Push mode: attach to an unmodified QEMU's D-Bus display and push each console as scanout"
                    + " id console+1 to SUBSCRIBE clients. ADDR is QEMU's QMP socket (QEMU started with -display"
                    + " dbus,p2p=yes -qmp unix:ADDR,server=on,wait=off) or a bus address unix:path=BUS (QEMU with"
                    + " -display dbus,addr=unix:path=BUS).")
    String qemuDisplay;

    @Option(names = "--push-fps", defaultValue = "60", paramLabel = "N",
            description = "Push mode: at most N frames a second per scanout, one encode shared by its subscribers."
                    + " Default: ${DEFAULT-VALUE}.")
    int pushFps;

    @Option(names = "--unix-mode", defaultValue = "600", paramLabel = "OCTAL", converter = CliValues.OctalModeConverter.class,
            description = "Permissions of Unix socket files, in octal as for chmod. Default: ${DEFAULT-VALUE}.")
    int unixMode;

    @Option(names = "--unix-group", paramLabel = "GROUP", description = "Group owning Unix socket files (with --unix-mode 660 to share with a group).")
    String unixGroup;

    @Option(names = "--vsock-allow-cid", paramLabel = "CID", split = ",",
            description = "Only accept vsock connections from these guest CIDs (repeatable). Default: any.")
    List<Integer> vsockAllowCids;

    @Option(names = "--counters-file", paramLabel = "PATH", description = "Where live counters are published for `framebridge stat`. Default: ${DEFAULT-VALUE}.")
    Path countersFile = CountersFile.defaultPath();

    @Option(names = "--allow-missing-defaults", description = "Without --listen: if a default endpoint is busy or cannot"
            + " be bound, warn and serve on the others instead of stopping (exit 3).")
    boolean allowMissingDefaults;

    @Option(names = "--config", paramLabel = "FILE", description = "Read option defaults from this properties file.")
    Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log every skipped or rejected message (not every frame).")
    boolean verbose;

    /** For tests: the endpoints used without --listen (null: {@link #defaultEndpoints()}). */
    List<Endpoint> defaults;

    /** Why serve could not start, and its exit code. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        StartFailure(int exitCode, String message, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }
    }

    static final int DEFAULT_ENDPOINT_BUSY = 3;

    @Override
    public Integer call() throws Exception {
        EngineLog log = new EngineLog(System.err, verbose);
        Engine engine;
        try {
            engine = start(log);
        } catch (StartFailure f) {
            log.error(f.getMessage());
            if (System.getenv("FRAMEBRIDGE_DEBUG") != null && f.getCause() != null) {
                f.getCause().printStackTrace();
            }
            return f.exitCode;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("shutting down: answering what is in flight");
            engine.close();
            stopped.countDown();
        }, "framebridge-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /**
     * Selects the encoder and starts the engine. Without --listen, a default endpoint that cannot be bound stops it
     * (exit 3) unless --allow-missing-defaults, which drops that one and starts again on the rest; vsock on a host
     * whose kernel has none is dropped either way (the defaults say "when this kernel has AF_VSOCK").
     */
    Engine start(EngineLog log) throws StartFailure {
        boolean usingDefaults = listen == null || listen.isEmpty();
        List<Endpoint> endpoints = new ArrayList<>(usingDefaults ? defaultList() : parsedListen());
        engineConfig(endpoints); // a bad option is a usage error (IllegalArgumentException), found before anything starts
        EncoderRegistry.Selection selection;
        try {
            selection = EncoderRegistry.standard().select(encoder);
        } catch (EncoderException | IllegalArgumentException e) {
            throw new StartFailure(1, e.getMessage(), e);
        }
        for (String line : selection.report()) {
            log.info("encoder " + line);
        }
        while (true) {
            EngineConfig config = engineConfig(endpoints);
            try {
                return Engine.start(config, selection.backend(), log);
            } catch (IOException | RuntimeException e) {
                Endpoint culprit = usingDefaults ? culprit(endpoints, e) : null;
                if (culprit == null) {
                    throw new StartFailure(1, "cannot start: " + e.getMessage(), e);
                }
                endpoints.remove(culprit);
                if (culprit instanceof Endpoint.Vsock && vsockAbsent(e)) {
                    log.info("not listening on " + culprit + ": this host has no usable vsock (" + e.getMessage() + ")");
                } else if (!allowMissingDefaults) {
                    throw new StartFailure(DEFAULT_ENDPOINT_BUSY, busyDefault(culprit, e) + ". Free it, choose"
                            + " endpoints with --listen, or pass --allow-missing-defaults to serve on the other"
                            + " defaults", e);
                } else {
                    log.warn(busyDefault(culprit, e) + "; serving on the other defaults (--allow-missing-defaults)");
                }
                if (endpoints.isEmpty()) {
                    throw new StartFailure(1, "cannot start: no default endpoint could be bound; give one that can with"
                            + " --listen", e);
                }
            }
        }
    }

    private static String busyDefault(Endpoint endpoint, Exception e) {
        if (e instanceof ErrnoException ee && ee.errno() == LibC.EADDRINUSE) {
            return "default endpoint " + endpoint + " is busy, " + EndpointHolder.describe(endpoint)
                    + ": a guest aimed at it would reach that process, not this one (" + e.getMessage() + ")";
        }
        return "default endpoint " + endpoint + " cannot be bound: " + e.getMessage();
    }

    /** The endpoint an exception from {@link Engine#start} is about: SocketListener names it in every message. */
    static Endpoint culprit(List<Endpoint> endpoints, Exception e) {
        String message = String.valueOf(e.getMessage());
        for (Endpoint ep : endpoints) {
            String path = switch (ep) {
                case Endpoint.Unix u -> u.path();
                case Endpoint.HybridVsock h -> h.listenPath();
                default -> null;
            };
            if (message.contains(ep.toString() + ")") || message.contains(ep.toString() + ":")
                    || message.contains(ep.toString() + ";") || path != null && message.contains(path)) {
                return ep;
            }
        }
        return null;
    }

    /** No AF_VSOCK in this kernel (socket() fails) or no vsock transport to bind to: nothing to warn about. */
    private static boolean vsockAbsent(Exception e) {
        return e instanceof ErrnoException ee && (ee.call().startsWith("socket(") || ee.errno() == LibC.EADDRNOTAVAIL
                || ee.errno() == LibC.ENODEV);
    }

    private List<Endpoint> defaultList() throws StartFailure {
        if (defaults != null) {
            return defaults;
        }
        try {
            return defaultEndpoints();
        } catch (IllegalStateException e) {
            throw new StartFailure(1, e.getMessage(), e);
        }
    }

    private List<Endpoint> parsedListen() {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String text : listen) {
            endpoints.add(Endpoint.parse(text));
        }
        return endpoints;
    }

    EngineConfig engineConfig() {
        return engineConfig(listen == null || listen.isEmpty() ? (defaults != null ? defaults : defaultEndpoints())
                : parsedListen());
    }

    EngineConfig engineConfig(List<Endpoint> endpoints) {
        EngineConfig c = new EngineConfig();
        for (Endpoint e : endpoints) {
            c.listen(e);
        }
        c.bitrate(bitrate).fps(fps.num(), fps.den())
                .keyint(keyint).profile(profileIdc(profile)).preset(preset).encoderThreads(encoderThreads)
                .encodeAgents(encodeThreads(encodeThreads)).maxInFlight(maxInFlight).maxConnections(maxConnections)
                .ioAgents(ioAgents(ioAgents, encodeThreads(encodeThreads), maxConnections))
                .maxPayload(maxPayload).maxDimension(maxDimension).stallTimeoutMs(stallTimeoutMs).idleTimeoutMs(idleTimeoutMs).idle(idle)
                .unixMode(unixMode).unixGroup(unixGroup).countersFile(countersFile)
                .convertOnArrival(convertOnArrival(convertAt));
        if (frameMemoryReserve != null) {
            c.frameMemoryReserve(frameMemoryReserve);
        }
        if (maxFrameMemory != null) {
            c.maxFrameMemory(maxFrameMemory);
        }
        if (maxFrameMemoryPerConnection != null) {
            c.maxFrameMemoryPerConnection(maxFrameMemoryPerConnection);
        }
        c.maxPools(maxPools);
        c.qemuDisplay(qemuDisplay).pushFps(pushFps);
        if (regions != null) {
            for (String r : regions) {
                c.region(HostRegion.parse(r));
            }
        }
        if (vsockAllowCids != null) {
            c.vsockAllowedCids(new HashSet<>(vsockAllowCids));
        }
        long[] rate = receiveRate(minReceiveRate);
        c.minReceiveRate(rate[0], rate[1]);
        return c.conclude();
    }

    /** "BYTES/SECONDS" (or "0", off) as {bytes, window in ms}. */
    static long[] receiveRate(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return new long[] {0, EngineConfig.DEFAULT_RECEIVE_WINDOW_MS};
        }
        String[] parts = t.split("/");
        try {
            if (parts.length == 2) {
                long bytes = Long.parseLong(parts[0].trim());
                long seconds = Long.parseLong(parts[1].trim());
                if (bytes >= 0 && seconds >= 1) {
                    return new long[] {bytes, seconds * 1000};
                }
            }
        } catch (NumberFormatException ignored) {
            // the message below names the form
        }
        throw new IllegalArgumentException("--min-receive-rate " + text + " is not BYTES/SECONDS (e.g. 16384/10), or 0 for off");
    }

    static boolean convertOnArrival(String where) {
        return switch (where) {
            case "arrival" -> true;
            case "encoder" -> false;
            default -> throw new IllegalArgumentException("--convert-at " + where + " is not a place: use arrival or encoder");
        };
    }

    static int encodeThreads(String text) {
        if (text.equals("auto")) {
            return 0; // with --io-agents auto: one inline agent per core (EngineConfig.defaultIoAgents)
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--encode-threads " + text + " is not a number: use auto, 0 (inline) or 1..64");
        }
    }

    /** auto: one per core when encoding inline (see EngineConfig.defaultIoAgents), else 1 (the encode threads' layout). */
    static int ioAgents(String text, int encodeThreads, int maxConnections) {
        if (text.equals("auto")) {
            return encodeThreads == 0
                    ? EngineConfig.defaultIoAgents(Runtime.getRuntime().availableProcessors(), maxConnections) : 1;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--io-agents " + text + " is not a number: use auto or 1..64");
        }
    }

    static int profileIdc(String name) {
        H264Profile p = H264Profile.parse(name);
        if (p == null) {
            throw new IllegalArgumentException("--profile " + name + " unknown: use " + H264Profile.NAMES);
        }
        return p.idc();
    }

    /** vsock:any:5000, tcp:127.0.0.1:15937 and a Unix socket in the user's runtime directory. */
    static List<Endpoint> defaultEndpoints() {
        Path dir = RuntimeDirectory.prepare(); // created 0700; refused if another user could replace the socket
        return List.of(
                Endpoint.parse("vsock:any:" + Hxfr.DEFAULT_VSOCK_PORT),
                Endpoint.parse("tcp:127.0.0.1:" + Hxfr.DEFAULT_TCP_PORT),
                Endpoint.parse("unix:" + dir.resolve("hxfr.sock")));
    }
}

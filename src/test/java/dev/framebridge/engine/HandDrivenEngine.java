package dev.framebridge.engine;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.frame.FramePool;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The engine's real I/O agent, request reader and encode agent (x264), wired as {@link Engine#start} wires them but
 * with no agent threads: the caller's thread runs their duty cycles through {@link #pump()}, so a run is
 * deterministic — what a fuzzer needs. A client connects over a real Unix socket.
 *
 * <p>This is the one class through which fuzz tests touch engine internals: the agents come from
 * {@link EngineAgents}, built as the engine builds them, and only their {@code doWork} is called here.
 */
final class HandDrivenEngine implements AutoCloseable {
    private static final int WINDOW = EngineConfig.DEFAULT_MAX_IN_FLIGHT;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private final Endpoint endpoint;
    private final EngineCounters counters;
    private final EngineAgents agents;
    private final FramePool pool;
    private final IoAgent io;
    private final EncodeAgent encode;
    private final boolean inline;

    /**
     * @param inline           encode on the I/O thread's cycle (the layout on 1–2 cores) rather than hand each
     *                         request over a ring to an encode agent (here pumped right after the I/O agent)
     * @param convertOnArrival convert BGRA/RGBA to NV12 as rows arrive (as the engine does for x264) or in the encoder
     * @param sendBufferBytes  SO_SNDBUF of accepted sockets (0: the kernel's default); small makes answers go out in parts
     */
    HandDrivenEngine(Path dir, String name, long maxPayload, int maxDimension, boolean inline, boolean convertOnArrival,
                     int sendBufferBytes) throws Exception {
        this.inline = inline;
        EngineConfig config = new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve(name + ".sock")))
                .countersFile(dir.resolve(name + ".counters"))
                .maxConnections(1)
                .maxInFlight(WINDOW)
                .maxPayload(maxPayload)
                .maxDimension(maxDimension)
                .encoderThreads(1)
                .encodeAgents(inline ? 0 : 1)
                .convertOnArrival(convertOnArrival)
                .conclude();
        SocketListener listener = SocketListener.listen(config.listen().get(0),
                ListenOptions.defaults().withSendBufferBytes(sendBufferBytes));
        endpoint = listener.endpoint();
        counters = new EngineCounters(CountersFile.create(config.countersFile(), endpoint.toString()));
        EncoderBackend backend = EncoderRegistry.standard().select("x264").backend();
        agents = new EngineAgents(config, backend, new SocketListener[] {listener}, counters,
                new LatencyPublisher(counters), new EngineLog(QUIET, false));
        pool = agents.pool;
        io = agents.io;
        encode = agents.encoders[0];
    }

    /** Connects a client and runs the engine until it has accepted it. */
    NativeSocket connect() throws Exception {
        long accepted = counters.accepted.get();
        NativeSocket client = NativeSocket.connect(endpoint, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (counters.accepted.get() == accepted) {
            pump();
            if (System.nanoTime() - deadline > 0) {
                client.close();
                throw new AssertionError("the engine did not accept a connection within 5 s");
            }
        }
        return client;
    }

    /** One duty cycle of every agent, as their threads would run them; returns the work done. */
    int pump() throws Exception {
        int work = io.doWork();
        if (!inline) { // inline: the I/O agent runs the encode agent itself
            work += encode.doWork();
        }
        return work;
    }

    /**
     * Null when the engine holds nothing for a client any more (its slots are back in the pool, nothing is in
     * flight, no connection is open, the encode agent has no work), else what it still holds.
     */
    String held() {
        if (pool.available() != pool.capacity()) {
            return (pool.capacity() - pool.available()) + " frame slots not back in the pool";
        }
        if (counters.inFlight.get() != 0) {
            return counters.inFlight.get() + " requests counted in flight";
        }
        if (counters.active.get() != 0) {
            return counters.active.get() + " connections counted open";
        }
        if (encode.hasWork()) {
            return "the encode agent still has work";
        }
        return null;
    }

    boolean inline() {
        return inline;
    }

    @Override
    public void close() {
        io.onClose();
        if (!inline) {
            encode.onClose();
        }
        io.unmapPoolsAfterStop();
        pool.close();
        counters.close();
    }
}

package dev.framebridge.engine;

import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The engine's agents, built as the engine builds them (real listener, real x264) but driven by hand on the test's
 * thread, with a clock the test advances: Aeron's SenderTest style. Clients are plain non-blocking sockets.
 */
final class ByHandEngine implements AutoCloseable {
    final CachedNanoClock clock = new CachedNanoClock();
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EngineConfig config;
    final SocketListener listener;
    final EngineCounters counters;
    final EngineAgents agents;
    /** Not started: a test publishes what was recorded with {@link LatencyPublisher#publishNow()}. */
    final LatencyPublisher stats;
    private final Arena arena = Arena.ofShared();
    private final List<NativeSocket> clients = new ArrayList<>();
    /** False: encode agents with threads of their own are not run, so requests stay in flight. */
    boolean runEncoders = true;

    ByHandEngine(Path dir, UnaryOperator<EngineConfig> tweak) throws Exception {
        this(dir, tweak, ListenOptions.defaults());
    }

    /** @param listen how accepted sockets are set up (a small SO_SNDBUF makes answers go out in parts) */
    ByHandEngine(Path dir, UnaryOperator<EngineConfig> tweak, ListenOptions listen) throws Exception {
        clock.update(1_000_000_000L);
        config = tweak.apply(new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat")).encodeAgents(0).clock(clock)).conclude();
        listener = SocketListener.listen(config.listen().get(0), listen);
        counters = new EngineCounters(CountersFile.create(config.countersFile(), listener.endpoint().toString()));
        agents = new EngineAgents(config, EncoderRegistry.standard().select("x264").backend(),
                new SocketListener[] {listener}, counters, stats = new LatencyPublisher(counters),
                new EngineLog(new PrintStream(logBytes, true), true));
    }

    /** One duty cycle of every agent (every I/O agent; encode agents too when they are not inline). */
    int cycle() throws Exception {
        int work = 0;
        for (IoAgent io : agents.ios) {
            work += io.doWork();
        }
        if (!agents.inline && runEncoders) {
            for (EncodeAgent e : agents.encoders) {
                work += e.doWork();
            }
        }
        return work;
    }

    /** Cycles until nothing more happens (three idle cycles in a row). */
    void settle() throws Exception {
        int idle = 0;
        for (int i = 0; i < 100_000 && idle < 3; i++) {
            idle = cycle() == 0 ? idle + 1 : 0;
        }
    }

    /** Advances the clock past the housekeeping interval and lets housekeeping run. */
    void advance(long nanos) throws Exception {
        clock.advance(nanos);
        settle();
    }

    NativeSocket connect() throws Exception {
        NativeSocket s = NativeSocket.connect(listener.endpoint(), Duration.ofSeconds(5));
        clients.add(s);
        settle();
        return s;
    }

    void send(NativeSocket s, byte[] bytes) throws Exception {
        MemorySegment m = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long off = 0;
        for (int i = 0; off < bytes.length; i++) {
            long n = s.write(m, off, bytes.length - off);
            off += n;
            if (n == 0) {
                if (i > 100_000) {
                    throw new AssertionError("the engine stopped reading");
                }
                cycle();
            }
        }
    }

    long counter(CounterId id) {
        return counters.get(id).get();
    }

    String log() {
        return logBytes.toString();
    }

    @Override
    public void close() {
        for (NativeSocket s : clients) {
            s.close();
        }
        for (IoAgent io : agents.ios) {
            io.onClose();
        }
        if (!agents.inline) {
            for (EncodeAgent e : agents.encoders) {
                e.onClose();
            }
        }
        agents.pool.close();
        counters.close();
        arena.close();
    }

    /** What a client received: whole answers parsed from its socket, and whether the engine closed it. */
    static final class Received {
        private final NativeSocket socket;
        private final Arena arena = Arena.ofAuto();
        private final MemorySegment buffer = arena.allocate(1 << 22);
        private long filled;
        private final List<Answer> answers = new ArrayList<>();
        private boolean ended;

        Received(NativeSocket socket) {
            this.socket = socket;
        }

        /** Reads what has arrived; returns every whole answer so far. */
        List<Answer> poll() throws Exception {
            while (!ended) {
                long n = socket.read(buffer, filled, buffer.byteSize() - filled);
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    ended = true;
                    break;
                }
                filled += n;
            }
            long at = 0;
            while (filled - at >= MessageFlyweight.HEADER_LENGTH) {
                HeaderFlyweight h = new HeaderFlyweight().wrap(buffer, at);
                long total = MessageFlyweight.HEADER_LENGTH + h.payloadSize();
                if (filled - at < total) {
                    break;
                }
                answers.add(Answer.of(buffer.asSlice(at, total)));
                at += total;
            }
            MemorySegment.copy(buffer, at, buffer, 0, filled - at);
            filled -= at;
            return answers;
        }

        boolean ended() throws Exception {
            poll();
            return ended;
        }
    }

    record Answer(int type, int sessionId, long pts, boolean keyframe, String error) {
        static Answer of(MemorySegment m) {
            HeaderFlyweight h = new HeaderFlyweight().wrap(m, 0);
            return switch (h.type()) {
                case Hxfr.MSG_FRAME_RESPONSE -> {
                    FrameResponseFlyweight f = new FrameResponseFlyweight().wrap(m, 0);
                    yield new Answer(h.type(), h.sessionId(), f.pts(), f.isKeyframe(), null);
                }
                case Hxfr.MSG_ERROR -> new Answer(h.type(), h.sessionId(), 0, false,
                        new ErrorFlyweight().wrap(m, 0).message());
                default -> new Answer(h.type(), h.sessionId(), 0, false, null);
            };
        }

        @Override
        public String toString() {
            return Hxfr.typeName(type) + (type == Hxfr.MSG_FRAME_RESPONSE ? " pts " + pts : "")
                    + (error != null ? " " + error : "");
        }
    }
}

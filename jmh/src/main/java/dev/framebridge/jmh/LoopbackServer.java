package dev.framebridge.jmh;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.transport.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A server on a Unix socket in a fresh temporary directory, with a recorder of its server-side time per frame
 * (last request byte read → last answer byte written): either the framebridge engine, or the physical reference —
 * a plain blocking socket loop that reads the same request bytes and writes an answer of the same size.
 */
abstract class LoopbackServer implements AutoCloseable {
    final Path dir;
    final SingleWriterRecorder serverSide = new SingleWriterRecorder(3);

    LoopbackServer() throws IOException {
        // next to where serve keeps its counters by default (tmpfs when there is one), not on a disk
        Path runtime = dev.framebridge.engine.CountersFile.runtimeDirectory().getParent();
        dir = Files.isWritable(runtime) ? Files.createTempDirectory(runtime, "fb-jmh-") : Files.createTempDirectory("fb-jmh-");
    }

    abstract Endpoint endpoint();

    /** Threads whose allocation is the server's (for bytes per frame). */
    abstract List<Thread> serverThreads();

    /**
     * @param idle          the engine's idle strategy ({@code default}: spin, then park in epoll / park)
     * @param encodeThreads {@code auto} (serve's default), or encode agents where 0 encodes on the I/O thread
     */
    static LoopbackServer engine(EncoderBackend backend, String idle, String encodeThreads) throws IOException {
        return engine(backend, idle, encodeThreads, true);
    }

    /** @param convertOnArrival RGB → NV12 on the I/O thread as rows arrive (serve's default) or in the encode call */
    static LoopbackServer engine(EncoderBackend backend, String idle, String encodeThreads, boolean convertOnArrival)
            throws IOException {
        int agents = encodeThreads.equals("auto")
                ? EngineConfig.defaultEncodeAgents(Runtime.getRuntime().availableProcessors())
                : Integer.parseInt(encodeThreads);
        return new EngineServer(backend, idle, agents, convertOnArrival);
    }

    static LoopbackServer plainEcho() throws IOException {
        return new PlainEcho();
    }

    static long allocatedBytes(List<Thread> threads) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            sum += mx.getThreadAllocatedBytes(t.threadId());
        }
        return sum;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }

    private static final class EngineServer extends LoopbackServer {
        private final Engine engine;

        EngineServer(EncoderBackend backend, String idle, int encodeThreads, boolean convertOnArrival) throws IOException {
            EngineConfig config = new EngineConfig()
                    .listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                    .countersFile(dir.resolve("counters.dat"))
                    .maxConnections(4)
                    .idle(idle)
                    .encodeAgents(encodeThreads)
                    .convertOnArrival(convertOnArrival)
                    .latencyRecorder(serverSide);
            engine = Engine.start(config, backend, new EngineLog(System.err, false));
        }

        @Override
        Endpoint endpoint() {
            return engine.endpoints().get(0);
        }

        /** The agents that touch frames (not the once-a-second stats thread). */
        @Override
        List<Thread> serverThreads() {
            return engine.agentThreads();
        }

        @Override
        public void close() {
            engine.close();
            super.close();
        }
    }

    /** Reads header and payload with blocking reads, answers a FRAME_RESPONSE the size of the stand-in's. */
    private static final class PlainEcho extends LoopbackServer {
        private final Path socketPath = dir.resolve("echo.sock");
        private final ServerSocketChannel listener;
        private final Thread thread;
        private volatile boolean closed;

        PlainEcho() throws IOException {
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socketPath));
            thread = new Thread(this::serve, "plain-echo");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            ByteBuffer header = ByteBuffer.allocateDirect(MessageFlyweight.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer payload = ByteBuffer.allocateDirect(64 << 20).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer answer = ByteBuffer.allocateDirect(FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH
                    + StandInBackend.ACCESS_UNIT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            FrameResponseFlyweight response = new FrameResponseFlyweight();
            MemorySegment answerSegment = MemorySegment.ofBuffer(answer);
            while (!closed) { // one connection at a time: the JIT warm-up's, then the benchmark's
                try (SocketChannel c = listener.accept()) {
                    echo(c, header, payload, answer, answerSegment, response);
                } catch (IOException e) {
                    if (!closed) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        private void echo(SocketChannel c, ByteBuffer header, ByteBuffer payload, ByteBuffer answer,
                          MemorySegment answerSegment, FrameResponseFlyweight response) throws IOException {
            {
                while (!closed) {
                    header.clear();
                    if (!readFully(c, header)) {
                        return;
                    }
                    long size = header.getInt(8) & 0xFFFF_FFFFL;
                    payload.clear().limit((int) size);
                    if (!readFully(c, payload)) {
                        return;
                    }
                    long start = System.nanoTime();
                    long pts = payload.getLong((int) (FrameRequestFlyweight.PTS_OFFSET - MessageFlyweight.HEADER_LENGTH));
                    response.wrap(answerSegment, 0).singleEntry(1, pts, pts, false, StandInBackend.ACCESS_UNIT_BYTES);
                    answer.clear();
                    while (answer.hasRemaining()) {
                        c.write(answer);
                    }
                    serverSide.recordValue(System.nanoTime() - start);
                }
            }
        }

        private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (c.read(b) < 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        Endpoint endpoint() {
            return Endpoint.parse("unix:" + socketPath);
        }

        @Override
        List<Thread> serverThreads() {
            return List.of(thread);
        }

        @Override
        public void close() {
            closed = true;
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            super.close();
        }
    }
}

package dev.framebridge.jmh;

import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Streams frames to a {@link LoopbackServer} with {@code outstanding} requests in flight and keeps, over the
 * measurement iterations only, HdrHistograms of the client's round trip (send start → last answer byte read) and of
 * the server's own time, plus the bytes the server's threads and the client allocated per frame. One instance per
 * benchmark trial, driven by the benchmark thread.
 */
final class RoundTrips implements AutoCloseable {
    /**
     * How frame {@code n} travels: {@link #IN_BAND} (a FRAME_REQUEST with its pixels) unless a benchmark says
     * otherwise (frames by reference: {@link #open} registers the pool, {@link #send} a FRAME_REF). Allocation-free.
     */
    interface Sender {
        /** Whatever the connection needs before its first frame (HELLO, REGISTER_POOL). */
        default void open(StreamClient client) throws IOException {
        }

        void send(StreamClient client, Frames frames, long n) throws IOException;
    }

    static final Sender IN_BAND = (client, frames, n) -> client.send(frames.frame(n), frames.bytes, frames.width,
            frames.height, frames.stride, n * 33_333_333L, n % 60 == 0);

    private final String title;
    private final Sender sender;
    private final Frames frames;
    private final LoopbackServer server;
    private final StreamClient client;
    private final int outstanding;
    private final long[] sentAt = new long[64];
    private final Histogram rtt = new Histogram(3);
    private final Histogram trialRtt = new Histogram(3);
    private final Histogram trialServer = new Histogram(3);
    private final List<Thread> serverThreads;
    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long sent;
    private long received;
    private long auBytes;
    private long iterationFrames;
    private long iterationServerBytes;
    private long iterationClientBytes;
    private long measuredFrames;
    private long measuredServerBytes;
    private long measuredClientBytes;
    private long measuredAuBytes;

    RoundTrips(String title, Frames frames, LoopbackServer server, int outstanding) throws IOException {
        this(title, frames, server, outstanding, false);
    }

    /** @param spin the client waits for answers spinning on a non-blocking read instead of sleeping in poll */
    RoundTrips(String title, Frames frames, LoopbackServer server, int outstanding, boolean spin) throws IOException {
        this(title, frames, server, outstanding, spin, IN_BAND);
    }

    /**
     * @param sender how each frame travels; any other than {@link #IN_BAND} also gets {@code framebridge.jmh.prewarm}
     *               frames of its own kind on the benchmark's connection first (the tiny in-band frames of the JIT
     *               warm-up do not run its per-frame path)
     */
    RoundTrips(String title, Frames frames, LoopbackServer server, int outstanding, boolean spin, Sender sender)
            throws IOException {
        this.title = title;
        this.sender = sender;
        this.frames = frames;
        this.server = server;
        this.outstanding = outstanding;
        warmUpJit(server);
        this.client = new StreamClient(server.endpoint(), spin);
        sender.open(client);
        if (sender != IN_BAND) {
            for (int i = Integer.getInteger("framebridge.jmh.prewarm", 12_000); i > 0; i--) {
                frame();
            }
        }
        for (int i = 0; i < outstanding - 1; i++) {
            send();
        }
        // the first answers (encoder open, pool slot growth) belong to start-up, not to any iteration
        frame();
        frame();
        this.serverThreads = server.serverThreads();
    }

    /**
     * JMH's warm-up iterations see a few hundred 1080p frames, far too few for C2 to compile the per-frame paths
     * (until then FFM downcalls allocate their temporaries): first push {@code framebridge.jmh.prewarm} (default
     * 12,000) tiny frames through the same server code on a connection of their own, so the measurement is of
     * steady state, as serve reaches it within seconds of streaming.
     */
    private static void warmUpJit(LoopbackServer server) throws IOException {
        int count = Integer.getInteger("framebridge.jmh.prewarm", 12_000);
        if (count <= 0) {
            return;
        }
        try (Frames tiny = new Frames("64x48", 4); StreamClient c = new StreamClient(server.endpoint())) {
            for (int i = 0; i < count; i++) {
                c.send(tiny.frame(i), tiny.bytes, tiny.width, tiny.height, tiny.stride, i * 33_333_333L, i % 60 == 0);
                c.receive();
            }
        }
        server.serverSide.getIntervalHistogram(); // not the benchmark's
    }

    private void send() throws IOException {
        long n = sent;
        sentAt[(int) (n & 63)] = System.nanoTime();
        sender.send(client, frames, n);
        sent++;
    }

    /** One frame: sends the next request and reads the oldest answer (1 outstanding: its own). */
    long frame() throws IOException {
        send();
        long length = client.receive();
        long n = received++;
        rtt.recordValue(System.nanoTime() - sentAt[(int) (n & 63)]);
        auBytes += length;
        return length;
    }

    void iterationStart() {
        rtt.reset();
        server.serverSide.getIntervalHistogram(); // drop what the warm-up or the previous iteration recorded
        iterationFrames = received;
        iterationServerBytes = LoopbackServer.allocatedBytes(serverThreads);
        iterationClientBytes = mx.getCurrentThreadAllocatedBytes();
        auBytes = 0;
    }

    void iterationEnd(IterationParams params) {
        long clientBytes = mx.getCurrentThreadAllocatedBytes() - iterationClientBytes;
        long serverBytes = LoopbackServer.allocatedBytes(serverThreads) - iterationServerBytes;
        Histogram serverSide = server.serverSide.getIntervalHistogram();
        if (params.getType() == IterationType.MEASUREMENT) {
            trialRtt.add(rtt);
            trialServer.add(serverSide);
            measuredFrames += received - iterationFrames;
            measuredServerBytes += serverBytes;
            measuredClientBytes += clientBytes;
            measuredAuBytes += auBytes;
        }
    }

    @Override
    public void close() throws IOException {
        while (received < sent) {
            client.receive();
            received++;
        }
        client.close();
        server.close();
        report();
    }

    private void report() {
        long frames = Math.max(1, measuredFrames);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "[hdr] %s outstanding=%d frames=%d au=%d B/frame%n", title, outstanding,
                measuredFrames, measuredAuBytes / frames));
        s.append(line("  round trip (client) ", trialRtt));
        s.append(line("  server-side         ", trialServer));
        s.append(String.format(Locale.ROOT, "  allocation: server threads %.1f B/frame, client %.1f B/frame%n",
                measuredServerBytes / (double) frames, measuredClientBytes / (double) frames));
        System.out.print(s);
        String file = System.getProperty("framebridge.jmh.hdr");
        if (file != null) {
            try (PrintWriter w = new PrintWriter(new FileWriter(file, true))) {
                w.print(s);
            } catch (IOException e) {
                System.out.println("cannot append to " + file + ": " + e);
            }
        }
    }

    static String line(String label, Histogram h) {
        return String.format(Locale.ROOT, "%s us: n=%d p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f%n", label,
                h.getTotalCount(), us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)),
                us(h.getValueAtPercentile(99)), us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()));
    }

    private static double us(long ns) {
        return ns / 1000.0;
    }
}

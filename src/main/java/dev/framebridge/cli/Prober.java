package dev.framebridge.cli;

import dev.framebridge.client.AccessUnitCheck;
import dev.framebridge.client.HostRefusedException;
import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.NotHxfrException;
import dev.framebridge.client.PeerClosedException;
import dev.framebridge.client.TestPattern;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The hop-by-hop checks behind {@code probe}: connect, PING→PONG, one frame, N frames. Each step either passes
 * (and is reported with its time) or ends the run with a {@link ProbeFailure} and a sentence naming the broken hop
 * and its likely cause. Everything waits at most the timeout, so a silent hop is a result, never a hang.
 */
final class Prober {
    /** A pts no encoder would invent, so an echo proves the answer belongs to our request. */
    static final long PROBE_PTS = 4_242_000_000L;
    private static final long FRAME_INTERVAL_NS = 33_333_333L;

    record Step(String name, boolean ok, double millis, String detail) {
    }

    record Stats(int frames, double seconds, double fps, double p50Ms, double p90Ms, double p99Ms, double maxMs,
                 long bytes) {
    }

    record Result(Endpoint endpoint, List<Step> steps, ProbeFailure failure, String cause, double pingMedianMs,
                  Stats stats) {
        boolean ok() {
            return failure == null;
        }

        int exitCode() {
            return failure == null ? 0 : failure.exitCode;
        }
    }

    private final Endpoint endpoint;
    private final Duration timeout;
    private final int width;
    private final int height;
    private final dev.framebridge.frame.PixelFormat format;
    private final int frames;
    private final Consumer<Step> onStep;
    /** Push mode: the scanout to SUBSCRIBE to instead of sending frames (0: pull mode). */
    private int subscribe;
    private final List<Step> steps = new ArrayList<>();
    private double pingMedianMs = Double.NaN;

    Prober(Endpoint endpoint, Duration timeout, int width, int height, dev.framebridge.frame.PixelFormat format,
           int frames, Consumer<Step> onStep) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.width = width;
        this.height = height;
        this.format = format;
        this.frames = frames;
        this.onStep = onStep;
    }

    /** Probe push mode instead: subscribe to {@code scanoutId}, check and count what is pushed. */
    Prober subscribe(int scanoutId) {
        this.subscribe = scanoutId;
        return this;
    }

    /** A step that failed: what to report and how to exit. */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final ProbeFailure failure;

        Failed(ProbeFailure failure, String cause) {
            super(cause, null, false, false);
            this.failure = failure;
        }
    }

    Result run() {
        warmUp();
        long t0 = System.nanoTime();
        HxfrClient client;
        try {
            client = HxfrClient.connect(endpoint, timeout);
        } catch (IOException e) {
            Failed f = connectFailure(e);
            step("connect", false, t0, f.getMessage());
            return new Result(endpoint, steps, f.failure, f.getMessage(), pingMedianMs, null);
        }
        step("connect", true, t0, "connected to " + endpoint);
        try (client; TestPattern pattern = new TestPattern(width, height, format)) {
            ping(client);
            if (subscribe > 0) {
                subscribeStep(client);
                firstPushed(client);
                Stats stats = frames > 0 ? pushed(client) : null;
                return new Result(endpoint, steps, null, null, pingMedianMs, stats);
            }
            oneFrame(client, pattern);
            Stats stats = frames > 0 ? stream(client, pattern) : null;
            return new Result(endpoint, steps, null, null, pingMedianMs, stats);
        } catch (Failed f) {
            return new Result(endpoint, steps, f.failure, f.getMessage(), pingMedianMs, null);
        } catch (RuntimeException e) {
            String cause = "probe failed unexpectedly: " + e;
            step("internal", false, System.nanoTime(), cause);
            return new Result(endpoint, steps, ProbeFailure.INTERNAL, cause, pingMedianMs, null);
        }
    }

    /**
     * Links the native calls and runs the client's code once against a loopback socket of our own, so the
     * connect and ping figures measure the path, not the JVM's first-call costs (~0.5 s otherwise). Best effort.
     */
    private static void warmUp() {
        try (SocketListener l = SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults());
             HxfrClient c = HxfrClient.connect(l.endpoint(), Duration.ofSeconds(1));
             Arena arena = Arena.ofConfined()) {
            NativeSocket server = null;
            for (int i = 0; i < 1000 && server == null; i++) {
                server = l.accept();
                if (server == null) {
                    Thread.sleep(1);
                }
            }
            if (server == null) {
                return;
            }
            try (NativeSocket accepted = server) {
                MemorySegment buf = arena.allocate(MessageFlyweight.HEADER_LENGTH);
                c.sendHeaderOnly(Hxfr.MSG_PING);
                long got = 0;
                while (got < buf.byteSize() && accepted.awaitReadable(1000)) {
                    long n = accepted.read(buf, got, buf.byteSize() - got);
                    if (n < 0) {
                        return;
                    }
                    got += n;
                }
                new HeaderFlyweight().wrap(buf, 0).set(Hxfr.MSG_PONG, 0, 1, 0);
                accepted.write(buf, 0, buf.byteSize());
                c.readAnswer();
            }
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the real steps report real problems
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** PINGs sent: the first proves the path, the rest give a round trip free of first-call costs. */
    static final int PINGS = 10;

    private void ping(HxfrClient client) throws Failed {
        long t = System.nanoTime();
        long[] rtts = new long[PINGS];
        for (int i = 0; i < PINGS; i++) {
            long p = System.nanoTime();
            Answer a;
            try {
                client.sendHeaderOnly(Hxfr.MSG_PING);
                a = client.readAnswer();
            } catch (IOException e) {
                throw fail("ping", t, exchangeFailure(e, "PING", "PONG",
                        "the listener accepts but nothing answers — check that the relay (if any) forwards both"
                                + " directions, and that framebridge serve runs behind it (framebridge stat)"));
            }
            rtts[i] = System.nanoTime() - p;
            if (a.isError()) {
                throw fail("ping", t, ProbeFailure.HOST_ERROR, "PING answered with ERROR " + errorText(a));
            }
            if (a.type() != Hxfr.MSG_PONG) {
                throw fail("ping", t, ProbeFailure.NOT_HXFR, "PING answered with " + Hxfr.typeName(a.type())
                        + " instead of PONG: the host sent an unsolicited message, or the stream is out of step");
            }
        }
        long first = rtts[0];
        java.util.Arrays.sort(rtts);
        pingMedianMs = ms(rtts[PINGS / 2]);
        step("ping", true, t, String.format(java.util.Locale.ROOT, "%d PINGs, %d PONGs: round trip median %.3f ms,"
                + " min %.3f ms (first %.3f ms)", PINGS, PINGS, pingMedianMs, ms(rtts[0]), ms(first)));
    }

    private void oneFrame(HxfrClient client, TestPattern pattern) throws Failed {
        long t = System.nanoTime();
        Answer a = exchangeFrame(client, pattern, 0, PROBE_PTS, "frame");
        String problem = answerProblem(a, PROBE_PTS, true);
        if (problem != null) {
            throw fail("frame", t, ProbeFailure.BAD_ANSWER, "first frame: " + problem);
        }
        step("frame", true, t, String.format("%dx%d %s → keyframe of %,d bytes, SPS/PPS in front, pts echoed"
                + " (the time includes the host opening its encoder)", width, height, CliValues.formatName(format), a.accessUnit().byteSize()));
    }

    private Stats stream(HxfrClient client, TestPattern pattern) throws Failed {
        Histogram rtt = new Histogram(3_600_000_000_000L, 3);
        long bytes = 0;
        long start = System.nanoTime();
        for (int i = 1; i <= frames; i++) {
            long pts = PROBE_PTS + i * FRAME_INTERVAL_NS;
            long t = System.nanoTime();
            Answer a = exchangeFrame(client, pattern, i, pts, "stream (frame " + i + " of " + frames + ")");
            rtt.recordValue(System.nanoTime() - t);
            String problem = answerProblem(a, pts, false);
            if (problem != null) {
                throw fail("stream", start, ProbeFailure.BAD_ANSWER, "frame " + i + " of " + frames + ": " + problem);
            }
            bytes += a.accessUnit().byteSize();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Stats s = new Stats(frames, seconds, frames / seconds, ms(rtt.getValueAtPercentile(50)),
                ms(rtt.getValueAtPercentile(90)), ms(rtt.getValueAtPercentile(99)), ms(rtt.getMaxValue()), bytes);
        step("stream", true, start, String.format("%d frames, %.1f fps, round trip p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
                + " %,d bytes of H.264", frames, s.fps(), s.p50Ms(), s.p99Ms(), s.maxMs(), bytes));
        return s;
    }

    // ---- push mode ----------------------------------------------------------------------------------

    private void subscribeStep(HxfrClient client) throws Failed {
        long t = System.nanoTime();
        boolean ok;
        try {
            ok = client.subscribe(subscribe);
        } catch (dev.framebridge.client.HostErrorException e) {
            throw fail("subscribe", t, ProbeFailure.HOST_ERROR, "SUBSCRIBE answered with ERROR " + e.errorCode() + " "
                    + ErrorCode.name(e.errorCode()) + ": \"" + e.hostMessage() + "\" (scanout ids are 1..15)");
        } catch (IOException e) {
            throw fail("subscribe", t, exchangeFailure(e, "SUBSCRIBE", "SUBSCRIBE_RESP",
                    "PING was answered but SUBSCRIBE was not: the host is older than push mode"));
        }
        if (!ok) {
            throw fail("subscribe", t, ProbeFailure.HOST_ERROR, "the host refused scanout " + subscribe + " (success=0):"
                    + " it was started without --qemu-display, the VM has no console " + (subscribe - 1) + ", or QEMU"
                    + " quit; the host log names which");
        }
        step("subscribe", true, t, "scanout " + subscribe + " taken (SUBSCRIBE_RESP success=1)");
    }

    private Answer pushedAnswer(HxfrClient client, String stepName, long t) throws Failed {
        try {
            Answer a = client.readAnswer();
            if (a.isError()) {
                throw fail(stepName, t, ProbeFailure.HOST_ERROR, "the host pushed ERROR " + errorText(a));
            }
            if (!a.isFrame()) {
                throw fail(stepName, t, ProbeFailure.NOT_HXFR, "the host pushed " + Hxfr.typeName(a.type())
                        + " instead of FRAME_RESPONSE");
            }
            return a;
        } catch (IOException e) {
            throw fail(stepName, t, exchangeFailure(e, "SUBSCRIBE", "pushed frame",
                    "the subscription was taken but nothing was pushed: the VM's console shows nothing (VM stopped, or"
                            + " its display disabled), or the host's push encode failed (host log)"));
        }
    }

    private void firstPushed(HxfrClient client) throws Failed {
        long t = System.nanoTime();
        Answer a = pushedAnswer(client, "first", t);
        String problem = !a.keyframe() ? "the first pushed frame is not a keyframe: a subscriber could not decode it"
                : AccessUnitCheck.problem(a.accessUnit(), true);
        if (problem != null) {
            throw fail("first", t, ProbeFailure.BAD_ANSWER, problem);
        }
        step("first", true, t, String.format("pushed keyframe of %,d bytes, SPS/PPS in front (scanout %d)",
                a.accessUnit().byteSize(), a.sessionId()));
    }

    /** Counts pushed frames until --frames arrived or the picture stopped changing for --timeout. */
    private Stats pushed(HxfrClient client) throws Failed {
        Histogram gaps = new Histogram(3_600_000_000_000L, 3);
        long start = System.nanoTime();
        long last = start;
        long bytes = 0;
        int n = 0;
        while (n < frames) {
            try {
                if (!client.socket().awaitReadable(timeout.toMillis())) {
                    break; // nothing changed on the console for a whole timeout: not a fault
                }
            } catch (IOException e) {
                throw fail("push", start, new Failed(ProbeFailure.CONNECT_FAILED, e.getMessage()));
            }
            Answer a = pushedAnswer(client, "push", start);
            String problem = AccessUnitCheck.problem(a.accessUnit(), a.keyframe());
            if (problem != null) {
                throw fail("push", start, ProbeFailure.BAD_ANSWER, "pushed frame " + (n + 1) + ": " + problem);
            }
            long now = System.nanoTime();
            gaps.recordValue(now - last);
            last = now;
            bytes += a.accessUnit().byteSize();
            n++;
        }
        double seconds = (last - start) / 1e9;
        Stats s = new Stats(n, seconds, n > 0 && seconds > 0 ? n / seconds : 0, ms(gaps.getValueAtPercentile(50)),
                ms(gaps.getValueAtPercentile(90)), ms(gaps.getValueAtPercentile(99)), ms(gaps.getMaxValue()), bytes);
        step("push", true, start, String.format("%d frames pushed in %.2f s (%.1f fps), gap p50 %.2f ms, max %.2f ms,"
                + " %,d bytes of H.264%s", n, seconds, s.fps(), s.p50Ms(), s.maxMs(), bytes, n < frames
                ? "; then nothing for " + seconds(timeout) + " (the console stopped changing)" : ""));
        return s;
    }

    private Answer exchangeFrame(HxfrClient client, TestPattern pattern, int n, long pts, String stepName) throws Failed {
        long t = System.nanoTime();
        try {
            client.sendFrame(pattern.frame(n), pattern.frameBytes(), width, height, format, pattern.stride(), pts, n == 0);
            Answer a = client.readAnswer();
            if (a.isError()) {
                throw fail(stepName, t, ProbeFailure.HOST_ERROR, "frame answered with ERROR " + errorText(a)
                        + errorHint(a.errorCode()));
            }
            if (!a.isFrame()) {
                throw fail(stepName, t, ProbeFailure.NOT_HXFR, "frame answered with " + Hxfr.typeName(a.type())
                        + " instead of FRAME_RESPONSE: the host is out of step with its requests");
            }
            return a;
        } catch (IOException e) {
            throw fail(stepName, t, exchangeFailure(e, "FRAME_REQUEST", "FRAME_RESPONSE",
                    "PING was answered, so the path works both ways; the host takes frames but its encoder does not"
                            + " answer — check framebridge stat (requests in flight, encode errors) and the host log"));
        }
    }

    private static String answerProblem(Answer a, long pts, boolean forcedKeyframe) {
        if (a.pts() != pts) {
            return "pts " + a.pts() + " came back for pts " + pts + ": the answer belongs to another request";
        }
        if (forcedKeyframe && !a.keyframe()) {
            return "a keyframe was forced but the answer is not one: force_keyframe is ignored";
        }
        return AccessUnitCheck.problem(a.accessUnit(), a.keyframe());
    }

    private Failed connectFailure(IOException e) {
        String notASocket = notASocket(endpoint);
        if (notASocket != null) {
            return new Failed(ProbeFailure.NOTHING_LISTENING, notASocket);
        }
        if (e instanceof ErrnoException ee && (ee.errno() == LibC.ECONNREFUSED || ee.errno() == LibC.ENOENT)) {
            String what = ee.errno() == LibC.ENOENT ? "no socket file: nothing listens at " + endpoint
                    : "connection refused: nothing listens on " + endpoint;
            return new Failed(ProbeFailure.NOTHING_LISTENING, what + " — start framebridge serve (or the relay) there,"
                    + " or check the " + (endpoint instanceof Endpoint.Tcp ? "host and port" : "path / port"));
        }
        if (e instanceof ErrnoException ee && ee.errno() == LibC.ETIMEDOUT) {
            return new Failed(ProbeFailure.CONNECT_FAILED, "no answer to connect within " + timeout.toMillis()
                    + " ms: the address is unreachable or a firewall drops the packets (" + e.getMessage() + ")");
        }
        return new Failed(ProbeFailure.CONNECT_FAILED, "cannot connect to " + endpoint + ": " + e.getMessage());
    }

    /**
     * A Unix endpoint whose path is there but is not a socket: connect says "refused" as if a server had stopped, but
     * the path itself is wrong. Null when the path is a socket, absent, or the endpoint has no path.
     */
    static String notASocket(Endpoint endpoint) {
        String path = switch (endpoint) {
            case Endpoint.Unix u -> u.path();
            case Endpoint.HybridVsock h -> h.udsPath();
            default -> null;
        };
        if (path == null) {
            return null;
        }
        java.nio.file.Path file = java.nio.file.Path.of(path);
        try {
            var a = java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            if (a.isOther()) {
                return null; // a socket (or a fifo): connect's own answer is the right one
            }
            return path + " is " + (a.isDirectory() ? "a directory" : a.isRegularFile() ? "a regular file" : "not a socket")
                    + ", not a socket: nothing can listen there — check the path (serve's default socket is"
                    + " $XDG_RUNTIME_DIR/framebridge/hxfr.sock, or /dev/shm/framebridge-$USER/hxfr.sock)";
        } catch (IOException missing) {
            return null;
        }
    }

    /** Why an exchange broke, named by hop: silent, closed, reset or not HXFR. */
    private Failed exchangeFailure(IOException e, String sent, String expected, String silentCause) {
        String prefix = "connected, " + sent + " sent, ";
        if (e instanceof SocketTimeoutException) {
            return new Failed(ProbeFailure.SILENT, prefix + "no " + expected + " in " + seconds(timeout) + ": "
                    + silentCause + "; if this endpoint is a relay, probe its target directly: framebridge probe TARGET");
        }
        if (e instanceof HostRefusedException r) {
            return new Failed(ProbeFailure.HOST_ERROR, prefix + "the host closed the connection, saying why: ERROR "
                    + r.errorCode() + " " + ErrorCode.name(r.errorCode()) + ": \"" + r.hostMessage() + "\"");
        }
        if (e instanceof PeerClosedException) {
            return new Failed(ProbeFailure.CLOSED, prefix + "the peer closed the connection instead of answering: a relay"
                    + " that cannot reach its target closes like this (see the relay's log), or the host refused us"
                    + " (see the host log and framebridge stat's distinct errors)");
        }
        if (e instanceof ErrnoException ee && (ee.errno() == LibC.ECONNRESET || ee.errno() == LibC.EPIPE)) {
            return new Failed(ProbeFailure.CLOSED, prefix + "the peer reset the connection instead of answering ("
                    + e.getMessage() + "): a relay that cannot reach its target does this (see the relay's log), or the"
                    + " host dropped us (see the host log and framebridge stat's distinct errors)");
        }
        if (e instanceof NotHxfrException) {
            return new Failed(ProbeFailure.NOT_HXFR, prefix + e.getMessage() + " — is this the right port or path?");
        }
        return new Failed(ProbeFailure.CONNECT_FAILED, prefix + "then: " + e.getMessage());
    }

    private static String errorText(Answer a) {
        return a.errorCode() + " " + ErrorCode.name(a.errorCode()) + ": \"" + a.errorMessage() + "\"";
    }

    private static String errorHint(int code) {
        return switch (code) {
            case ErrorCode.INVALID_MSG -> " — the host refused the request; try another --size or --format";
            case ErrorCode.ENCODE_FAILED -> " — the host's encoder failed; see the host log and framebridge stat";
            default -> "";
        };
    }

    private Failed fail(String name, long startNs, ProbeFailure failure, String cause) {
        step(name, false, startNs, cause);
        return new Failed(failure, cause);
    }

    private Failed fail(String name, long startNs, Failed f) {
        step(name, false, startNs, f.getMessage());
        return f;
    }

    private void step(String name, boolean ok, long startNs, String detail) {
        Step s = new Step(name, ok, (System.nanoTime() - startNs) / 1e6, detail);
        steps.add(s);
        onStep.accept(s);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}

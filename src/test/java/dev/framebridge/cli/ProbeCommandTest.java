package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.engine.CounterId;
import dev.framebridge.relay.Relay;
import dev.framebridge.relay.RelayLog;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.SocketListener;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code framebridge probe} against a real engine and against each broken hop of the seed's story, over real sockets. */
@Timeout(120)
class ProbeCommandTest {
    @TempDir
    Path dir;
    TestEngine engine;

    @BeforeEach
    void start() throws Exception {
        engine = new TestEngine(dir);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void passesEveryHopAgainstTheEngineOverUnixAndTcp() throws Exception {
        for (Endpoint e : new Endpoint[] {engine.unix, engine.tcp}) {
            CliRun r = CliRun.of("probe", e.toString(), "--frames", "30", "--size", "320x240");
            assertEquals(0, r.exitCode(), r.all());
            for (String step : new String[] {"connect", "ping", "frame", "stream"}) {
                assertTrue(r.out().matches("(?s).*\\n  " + step + " +ok .*"), step + " line missing:\n" + r.all());
            }
            assertTrue(r.out().contains("30 frames"), r.all());
            assertTrue(r.out().contains("probe ok"), r.all());
        }
        // 1 + 30 frames per run, 10 pings per run, all answered by the engine (its counters are bumped once per
        // duty cycle, after the write the client already read: give them a moment)
        awaitCounter(CounterId.FRAMES_OUT, 62);
        awaitCounter(CounterId.PINGS, 20);
    }

    private void awaitCounter(CounterId id, long expected) throws InterruptedException {
        // sleeping, not spinning: on two loaded cores a spinning test takes the CPU the engine needs to bump it
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (engine.counter(id) != expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertEquals(expected, engine.counter(id), id.label());
    }

    @Test
    void jsonReportsStepsAndStreamFiguresForScripts() {
        CliRun r = CliRun.of("probe", engine.unix.toString(), "--frames", "10", "--size", "160x120", "--format",
                "nv12", "--json");
        assertEquals(0, r.exitCode(), r.all());
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), "one JSON object: " + json);
        assertTrue(json.contains("\"ok\":true") && json.contains("\"exitCode\":0") && json.contains("\"failure\":null"),
                json);
        assertTrue(json.contains("\"stream\":{\"frames\":10,"), json);
        assertTrue(json.matches(".*\"p99Ms\":[0-9.]+.*"), json);
    }

    @Test
    void nothingListeningIsExitThreeNamingTheEndpoint() throws Exception {
        Path none = dir.resolve("nobody.sock");
        CliRun r = CliRun.of("probe", "unix:" + none, "--timeout", "500");
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.out().contains("nothing listens at unix:" + none), r.all());

        int port;
        try (SocketListener l = SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"), ListenOptions.defaults())) {
            port = ((Endpoint.Tcp) l.endpoint()).port();
        } // closed: the port is free again, so connecting is refused
        r = CliRun.of("probe", "tcp:127.0.0.1:" + port, "--timeout", "500", "--json");
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.out().contains("connection refused: nothing listens on tcp:127.0.0.1:" + port), r.all());
        assertTrue(r.out().contains("\"failure\":\"nothing-listening\""), r.all());
    }

    @Test
    void listenerThatAcceptsAndNeverAnswersIsExitFive() throws Exception {
        try (BrokenPeers silent = BrokenPeers.silent(Endpoint.parse("unix:" + dir.resolve("silent.sock")))) {
            long t0 = System.nanoTime();
            CliRun r = CliRun.of("probe", silent.endpoint().toString(), "--timeout", "700");
            assertEquals(5, r.exitCode(), r.all());
            assertTrue(r.out().contains("connect  ok"), r.all());
            assertTrue(r.out().contains("connected, PING sent, no PONG in 700 ms: the listener accepts but nothing"
                    + " answers — check that the relay (if any) forwards both directions"), r.all());
            assertTrue(r.out().contains("; if this endpoint is a relay, probe its target directly: framebridge probe"
                    + " TARGET"), r.all());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the timeout bounds the wait");
        }
    }

    @Test
    void relayThatForwardsOneDirectionOnlyIsExitFiveWhileTheHostDidAnswer() throws Exception {
        try (BrokenPeers oneWay = BrokenPeers.oneWayRelay(Endpoint.parse("tcp:127.0.0.1:0"), engine.unix)) {
            CliRun r = CliRun.of("probe", oneWay.endpoint().toString(), "--timeout", "700");
            assertEquals(5, r.exitCode(), r.all());
            assertTrue(r.out().contains("no PONG in 700 ms") && r.out().contains("forwards both directions"), r.all());
            // the PING crossed the relay and the host answered it: the broken hop is the way back
            assertEquals(12, oneWay.forwarded.get());
            awaitCounter(CounterId.PINGS, 1);
        }
    }

    @Test
    void relayWhoseTargetIsDownIsExitSixClosed() throws Exception {
        Relay relay = Relay.open(Endpoint.parse("tcp:127.0.0.1:0"), Endpoint.parse("unix:" + dir.resolve("down.sock")),
                Duration.ofMillis(500), 64 * 1024, false, new RelayLog(new PrintStream(OutputStream.nullOutputStream())));
        relay.startThread();
        try {
            CliRun r = CliRun.of("probe", relay.listenEndpoint().toString(), "--timeout", "2000");
            assertEquals(6, r.exitCode(), r.all());
            // closed or reset, depending on whether the PING was still unread when the relay gave up
            assertTrue(r.out().contains("connected, PING sent, the peer ") && r.out().contains("instead of answering")
                    && r.out().contains("a relay that cannot reach its target"), r.all());
        } finally {
            relay.close();
        }
    }

    @Test
    void aPeerThatIsNotHxfrIsExitSeven() throws Exception {
        try (BrokenPeers ssh = BrokenPeers.notHxfr(Endpoint.parse("tcp:127.0.0.1:0"))) {
            CliRun r = CliRun.of("probe", ssh.endpoint().toString(), "--timeout", "1000");
            assertEquals(7, r.exitCode(), r.all());
            assertTrue(r.out().contains("bad magic") && r.out().contains("right port"), r.all());
        }
    }

    @Test
    void hostErrorAnswersAreExitEightWithCodeAndMessage() {
        // 4000x4000 exceeds a max-dimension of 2048: the engine answers the frame with INVALID_MSG
        engine.close();
        try {
            engine = new TestEngine(dir.resolve("small"), 2048);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        CliRun r = CliRun.of("probe", engine.unix.toString(), "--size", "4000x2500", "--frames", "0");
        assertEquals(8, r.exitCode(), r.all());
        assertTrue(r.out().contains("frame answered with ERROR -1 INVALID_MSG"), r.all());
    }

    @Test
    void helpDocumentsEveryExitCode() {
        CliRun r = CliRun.of("probe", "--help");
        assertEquals(0, r.exitCode());
        for (ProbeFailure f : ProbeFailure.values()) {
            assertTrue(r.out().contains("\n  " + f.exitCode + "  "), "exit code " + f.exitCode + " in --help:\n" + r.out());
        }
    }

    @Test
    void badUsageIsExitTwoWithTheFix() {
        CliRun r = CliRun.of("probe", "tcp:127.0.0.1:99999");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("port \"99999\" is not a number 0-65535"), r.all());
        r = CliRun.of("probe", engine.unix.toString(), "--format", "i420");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("cannot be sent over HXFR"), r.all());
    }
}

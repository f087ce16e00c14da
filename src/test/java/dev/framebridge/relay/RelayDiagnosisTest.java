package dev.framebridge.relay;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay diagnosing the broken hop while it is broken: a target that accepts and never answers is named while the
 * guest still waits, and a target that never completes the connect holds up only its own client.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayDiagnosisTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final RelayLog log = new RelayLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        arena.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void namesTheSilentTargetWhileTheGuestIsStillWaitingAndCountsItAtClose() throws Exception {
        // the seed's chain: guest → TCP relay → Unix target that accepts and stays silent
        SocketListener target = track(SocketListener.listen(Endpoint.parse("unix:" + dir.resolve("host.sock")),
                ListenOptions.defaults()));
        Relay relay = track(Relay.open(Endpoint.parse("tcp:127.0.0.1:0"), target.endpoint(), Duration.ofSeconds(2),
                Duration.ofMillis(300), 64 * 1024, false, log));
        relay.startThread();
        HxfrClient guest = track(HxfrClient.connect(relay.listenEndpoint(), Duration.ofSeconds(30)));
        NativeSocket host = track(awaitAccept(target));

        long sent = System.nanoTime();
        guest.sendHeaderOnly(Hxfr.MSG_PING);
        String line = awaitLine("is silent", 10_000);
        long saidAfterMs = (System.nanoTime() - sent) / 1_000_000;

        assertTrue(line.contains("#1 target " + target.endpoint() + " is silent: PING forwarded 0.")
                || line.contains("#1 target " + target.endpoint() + " is silent: PING forwarded 1."), line);
        assertTrue(line.contains("0 bytes back since (1 request unanswered; client tcp:127.0.0.1:"), line);
        assertTrue(line.contains("framebridge probe " + target.endpoint()), line);
        assertTrue(saidAfterMs >= 300, "said after the threshold, not before: " + saidAfterMs + " ms");
        assertFalse(guest.socket().awaitReadable(0), "the guest is still waiting for its PONG when the relay says it");

        Thread.sleep(700); // well past the threshold again: once per episode, not once per check
        assertEquals(1, count(log(), "is silent"), log());

        // the target finally answers: the episode ends, and the guest gets its PONG through the relay
        MemorySegment pong = arena.allocate(12);
        new HeaderFlyweight().wrap(pong, 0).set(Hxfr.MSG_PONG, 0, 1, 0);
        assertEquals(12, host.write(pong, 0, 12));
        assertEquals(Hxfr.MSG_PONG, guest.readAnswer().type());
        assertTrue(awaitLine("answered after", 5_000).contains("#1 target " + target.endpoint() + " answered after"));

        // a second silence, still going when the guest hangs up: counted, and marked as not over
        guest.sendHeaderOnly(Hxfr.MSG_PING);
        awaitCount("is silent", 2, 10_000);
        open.remove(guest);
        guest.close(); // HxfrClient.close is not idempotent
        host.close();
        RelayReport r = awaitFinished(relay);
        assertEquals(2, r.targetSilences(), r.toString());
        assertTrue(r.longestSilenceMillis() >= 300, r.toString());
        assertTrue(r.silentAtClose(), r.toString());
        assertTrue(r.toString().contains("the target went silent with requests unanswered 2 times (longest "), r.toString());
        assertTrue(r.toString().endsWith(", still silent at close)"), r.toString());
    }

    @Test
    void aTargetThatNeverCompletesTheConnectHoldsUpOnlyItsOwnClient() throws Exception {
        // What reliably pends here: a TCP listener whose accept queue is full drops the SYN, so the connect stays
        // in SYN_SENT (EINPROGRESS) until the queue has room at a retransmit (1 s, 3 s, 7 s...). Backlog 1 holds 2.
        SocketListener target = track(SocketListener.listen(Endpoint.parse("tcp:127.0.0.1:0"),
                ListenOptions.defaults().withBacklog(1)));
        int port = ((Endpoint.Tcp) target.endpoint()).port();
        track(NativeSocket.connect(target.endpoint(), Duration.ofSeconds(2)));
        track(NativeSocket.connect(target.endpoint(), Duration.ofSeconds(2)));
        Relay relay = track(Relay.open(Endpoint.parse("tcp:127.0.0.1:0"), target.endpoint(), Duration.ofSeconds(3),
                Duration.ofSeconds(10), 64 * 1024, false, log));
        relay.startThread();

        NativeSocket stuckClient = track(NativeSocket.connect(relay.listenEndpoint(), Duration.ofSeconds(2)));
        awaitSynSent(port, 10_000); // the relay's connect #1 is in flight and its SYN was dropped

        // room for exactly one: the next SYN to arrive, which must be the relay's connect for client #2
        track(awaitAccept(target));
        long t0 = System.nanoTime();
        NativeSocket goodClient = track(NativeSocket.connect(relay.listenEndpoint(), Duration.ofSeconds(2)));
        awaitLine("#2 accepted", 5_000); // #2 is connected: queued behind the second filler, the queue full again
        Step refill = () -> track(NativeSocket.connect(target.endpoint(), Duration.ofSeconds(2)));
        track(awaitAccept(target, refill)); // each accept is refilled at once, so #1's retransmitted SYN finds no room
        NativeSocket served = track(awaitAccept(target, refill));

        // client #2 streams through the relay while #1's connect is still pending
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7);
        }
        for (int round = 0; round < 16; round++) {
            send(goodClient, chunk);
            byte[] atTarget = receive(served, chunk.length);
            send(served, atTarget);
            assertEquals(new String(chunk, StandardCharsets.ISO_8859_1),
                    new String(receive(goodClient, chunk.length), StandardCharsets.ISO_8859_1), "round " + round);
        }
        long streamedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(log().contains("#2 accepted "), log());
        assertFalse(log().contains("#1 accepted "), "#1 is still connecting while #2 streams:\n" + log());
        assertTrue(streamedMs < 2_500, "#2 waited for nothing (the old blocking connect held it up to the 3 s"
                + " connect timeout): " + streamedMs + " ms");

        // #1's deadline, checked by the relay's loop: its client is told by end of stream, the relay says why
        String line = awaitLine("#1 from ", 10_000);
        assertTrue(line.contains(": cannot reach the target " + target.endpoint() + " (connect(" + target.endpoint()
                + "): Connection timed out (ETIMEDOUT) — no answer within 3000 ms)"), line);
        assertTrue(stuckClient.awaitReadable(5_000));
        assertEquals(-1, stuckClient.read(arena.allocate(16), 0, 16), "the stuck client sees end of stream");
    }

    private void send(NativeSocket s, byte[] bytes) throws IOException {
        MemorySegment buf = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
        long sent = 0;
        while (sent < bytes.length) {
            long n = s.write(buf, sent, bytes.length - sent);
            if (n == 0) {
                assertTrue(s.awaitWritable(5_000), "writable within 5 s");
            }
            sent += n;
        }
    }

    private byte[] receive(NativeSocket s, int length) throws IOException {
        MemorySegment buf = arena.allocate(length);
        long got = 0;
        while (got < length) {
            long n = s.read(buf, got, length - got);
            assertTrue(n >= 0, "end of stream after " + got + " of " + length + " bytes");
            if (n == 0) {
                assertTrue(s.awaitReadable(5_000), "readable within 5 s, after " + got + " of " + length + " bytes");
            }
            got += n;
        }
        return buf.toArray(JAVA_BYTE);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static NativeSocket awaitAccept(SocketListener l) throws Exception {
        return awaitAccept(l, () -> { });
    }

    /** Accepts the next connection (waiting up to 5 s), then runs {@code after} at once. */
    private static NativeSocket awaitAccept(SocketListener l, Step after) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            NativeSocket s = l.accept();
            if (s != null) {
                after.run();
                return s;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("nothing arrived at " + l.endpoint() + " within 5 s");
    }

    /** Waits until a local TCP socket is in SYN_SENT towards 127.0.0.1:{@code port} (per /proc/net/tcp). */
    private static void awaitSynSent(int port, long timeoutMs) throws Exception {
        String remote = String.format(Locale.ROOT, "0100007F:%04X", port);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            for (String row : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = row.trim().split("\\s+");
                if (f.length > 3 && f[2].equals(remote) && f[3].equals("02")) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no connect to port " + port + " pending in SYN_SENT within " + timeoutMs + " ms");
    }

    private String awaitLine(String fragment, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            for (String line : log().split("\n")) {
                if (line.contains(fragment)) {
                    return line;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no relay line with \"" + fragment + "\" within " + timeoutMs + " ms:\n" + log());
    }

    private void awaitCount(String fragment, int n, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (count(log(), fragment) < n) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(n + " relay lines with \"" + fragment + "\" expected:\n" + log());
            }
            Thread.sleep(5);
        }
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + 1)) {
            n++;
        }
        return n;
    }

    private static RelayReport awaitFinished(Relay relay) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (relay.finished().isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the relay did not close the connection within 10 s");
            }
            Thread.sleep(5);
        }
        return relay.finished().get(0);
    }
}

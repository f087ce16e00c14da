package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The I/O agent (and the encode agent, inline or on its own) driven by hand through {@code doWork()}, with a clock the
 * test advances, real sockets fed one byte at a time and real x264: what the engine does no longer depends on how the
 * kernel batches bytes or on how long a test sleeps.
 */
class IoAgentTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;
    private ByHandEngine engine;

    private ByHandEngine start(UnaryOperator<EngineConfig> tweak) throws Exception {
        engine = new ByHandEngine(dir, tweak);
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void requestsFedOneByteAtATimeAreAnsweredInOrderInline() throws Exception {
        answersEveryRequestFedOneByteAtATime(start(c -> c.encodeAgents(0)));
    }

    @Test
    void requestsFedOneByteAtATimeAreAnsweredInOrderByAnEncodeAgentOfItsOwn() throws Exception {
        answersEveryRequestFedOneByteAtATime(start(c -> c.encodeAgents(1)));
    }

    private void answersEveryRequestFedOneByteAtATime(ByHandEngine e) throws Exception {
        NativeSocket client = e.connect();
        byte[] stream = HxfrBytes.concat(
                HxfrBytes.ping(5),
                HxfrBytes.frame(PixelFormat.BGRA8888, 64, 48, 260, 1, HxfrBytes.pixels(PixelFormat.BGRA8888, 260, 48, 1), 9),
                HxfrBytes.frame(PixelFormat.BGRA8888, 64, 48, 256, 2, HxfrBytes.pixels(PixelFormat.BGRA8888, 256, 48, 2), 0),
                HxfrBytes.headerOnly(Hxfr.MSG_KEYFRAME_REQ, 5),
                HxfrBytes.frame(PixelFormat.BGRA8888, 64, 48, 256, 3, HxfrBytes.pixels(PixelFormat.BGRA8888, 256, 48, 3), 0),
                HxfrBytes.frame(PixelFormat.NV12, 64, 48, 64, 4, HxfrBytes.pixels(PixelFormat.NV12, 64, 48, 4), 0),
                HxfrBytes.ping(6));
        for (byte b : stream) {
            e.send(client, new byte[] {b});
            e.cycle();
        }
        e.settle();
        List<ByHandEngine.Answer> answers = new ByHandEngine.Received(client).poll();
        assertEquals("[PONG, FRAME_RESPONSE pts 1, FRAME_RESPONSE pts 2, FRAME_RESPONSE pts 3, FRAME_RESPONSE pts 4, PONG]",
                answers.toString());
        assertTrue(answers.get(1).keyframe(), "the first frame is an IDR");
        assertFalse(answers.get(2).keyframe());
        assertTrue(answers.get(3).keyframe(), "KEYFRAME_REQ made the next frame an IDR");
        assertEquals(6, answers.get(5).sessionId());
        assertEquals(4, e.counter(CounterId.FRAMES_OUT));
        assertEquals(3, e.counter(CounterId.FRAMES_CONVERTED_ON_ARRIVAL));
        assertEquals(stream.length, e.counter(CounterId.BYTES_IN));
        assertEquals(0, e.counter(CounterId.IN_FLIGHT));
    }

    @Test
    void aFatalAnswerIsReadByThePeerBeforeTheLingeringConnectionCloses() throws Exception {
        ByHandEngine e = start(c -> c);
        NativeSocket client = e.connect();
        e.send(client, "GET / HTTP/1.1\r\n\r\n".getBytes());
        e.settle();
        ByHandEngine.Received received = new ByHandEngine.Received(client);
        List<ByHandEngine.Answer> answers = received.poll();
        assertEquals(1, answers.size());
        assertTrue(answers.get(0).error().startsWith("bad magic"), answers.toString());
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "still open, lingering for the peer to close");
        e.advance(900 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "within the grace period");
        e.advance(200 * MS);
        assertEquals(0, e.counter(CounterId.CONNECTIONS_ACTIVE), "closed once the grace period is over");
        assertEquals(1, e.counter(CounterId.CONNECTIONS_CLOSED_FAULT));
        assertTrue(received.ended());
    }

    @Test
    void aMessageStalledHalfWayIsClosedWhenTheInjectedClockPassesTheStallTimeout() throws Exception {
        ByHandEngine e = start(c -> c.stallTimeoutMs(500));
        NativeSocket client = e.connect();
        e.send(client, java.util.Arrays.copyOf(HxfrBytes.ping(1), 6));
        e.settle();
        e.advance(400 * MS);
        assertEquals(0, e.counter(CounterId.CONNECTIONS_STALLED));
        e.advance(200 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_STALLED));
        assertTrue(new ByHandEngine.Received(client).ended());
        assertTrue(e.log().contains("message stalled: no bytes for 500 ms"), e.log());
    }

    // ---- half-close in the middle of a message: what is whole is answered, the rest dropped -------------------

    /**
     * The connection fuzzer's finding, step by step: a whole FRAME_REQUEST is with the encode agent when the client
     * sends part of a second one and half-closes. The part is dropped (it never became a request), the first is
     * answered, then the connection closes.
     */
    @Test
    void aFrameInFlightIsAnsweredWhenThePeerHalfClosesInTheMiddleOfTheNextOne() throws Exception {
        ByHandEngine e = start(c -> c.encodeAgents(1));
        e.runEncoders = false; // the first frame stays with the encode agent while the end of stream is read
        NativeSocket client = e.connect();
        byte[] second = frame(64, 48, 2, 0);
        e.send(client, HxfrBytes.concat(frame(64, 48, 1, 0), java.util.Arrays.copyOf(second, 300)));
        client.shutdownOutput();
        e.settle();
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "not closed: an answer is owed");
        assertEquals(1, e.counter(CounterId.IN_FLIGHT));

        e.runEncoders = true;
        e.settle();
        ByHandEngine.Received received = new ByHandEngine.Received(client);
        assertEquals("[FRAME_RESPONSE pts 1]", received.poll().toString());
        assertTrue(received.ended(), "then our side is shut");
        client.close();
        e.settle();
        assertEquals(0, e.counter(CounterId.CONNECTIONS_ACTIVE));
        assertEquals(0, e.counter(CounterId.IN_FLIGHT));
        assertEquals(1, e.counter(CounterId.FRAMES_OUT));
        assertEquals(1, e.counter(CounterId.CONNECTIONS_CLOSED_FAULT), "a message cut short is the client's fault");
        assertTrue(e.log().contains("peer closed its sending side in the middle of a message (dropped, it was not"
                + " whole); answered the requests in flight"), e.log());
    }

    /**
     * Inline layout, converted on arrival, a send buffer that takes an answer only in parts: the client reads nothing
     * until it has sent three frames and half of a fourth, cut off mid-pixels. The answers part-written or queued at
     * the end of stream still go out, in order.
     */
    @Test
    void answersPartWrittenInlineSurviveAHalfCloseMidPixelsConvertedOnArrival() throws Exception {
        ByHandEngine e = new ByHandEngine(dir, c -> c.encodeAgents(0).maxInFlight(4).convertOnArrival(true),
                ListenOptions.defaults().withSendBufferBytes(2048));
        engine = e;
        NativeSocket client = e.connect();
        byte[] fourth = frame(64, 48, 4, 0);
        e.send(client, HxfrBytes.concat(frame(64, 48, 1, 0), frame(64, 48, 2, 0), frame(64, 48, 3, 0),
                java.util.Arrays.copyOf(fourth, fourth.length / 2)));
        client.shutdownOutput();
        e.settle();
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "not closed: answers are owed");
        assertTrue(e.counter(CounterId.FRAMES_OUT) < 3, "answers wait for the client to read: "
                + e.counter(CounterId.FRAMES_OUT) + " of 3 written");
        assertEquals(3, e.counter(CounterId.FRAMES_IN), "every whole frame was read, and the end of stream after them");

        ByHandEngine.Received received = new ByHandEngine.Received(client);
        List<ByHandEngine.Answer> answers = received.poll();
        for (int i = 0; i < 100_000 && !received.ended(); i++) {
            e.cycle();
            answers = received.poll();
        }
        assertEquals("[FRAME_RESPONSE pts 1, FRAME_RESPONSE pts 2, FRAME_RESPONSE pts 3]", answers.toString());
        assertTrue(received.ended());
        assertEquals(3, e.counter(CounterId.FRAMES_CONVERTED_ON_ARRIVAL));
        client.close();
        e.settle();
        assertEquals(0, e.counter(CounterId.CONNECTIONS_ACTIVE));
        assertEquals(0, e.counter(CounterId.IN_FLIGHT));
        assertTrue(e.log().contains("peer closed its sending side in the middle of a message (dropped, it was not"
                + " whole); answered the requests in flight"), e.log());
    }

    /** A 64x48 BGRA frame of noise (x264 cannot make it small: each answer is larger than a small send buffer). */
    private static byte[] frame(int width, int height, long pts, int seed) {
        byte[] pixels = new byte[width * height * 4];
        new java.util.Random(pts * 31 + seed).nextBytes(pixels);
        return HxfrBytes.frame(PixelFormat.BGRA8888, width, height, width * 4, pts, pixels, 0);
    }

    // ---- nobody locks anyone out (issue 12, item 3) ----------------------------------------------------------

    /**
     * A client that stops reading holds its window of slots (and its session) with requests in flight, so neither
     * the idle timeout nor eviction ever frees them: an answer it reads none of for --stall-timeout closes it, like a
     * message that stops half-way. Reading a little at a time is progress and keeps it open.
     */
    @Test
    void aClientThatReadsNoneOfAPartWrittenAnswerForTheStallTimeoutIsClosedAndLocksNobodyOut() throws Exception {
        ByHandEngine e = new ByHandEngine(dir, c -> c.stallTimeoutMs(500).maxConnections(1).maxInFlight(3),
                ListenOptions.defaults().withSendBufferBytes(2048));
        engine = e;
        NativeSocket stuck = e.connect();
        e.send(stuck, HxfrBytes.concat(frame(64, 48, 1, 0), frame(64, 48, 2, 0), frame(64, 48, 3, 0)));
        e.settle();
        assertTrue(e.counter(CounterId.FRAMES_OUT) < 3, "an answer is part-written: the client reads nothing");
        List<ByHandEngine.Answer> refused = new ByHandEngine.Received(e.connect()).poll();
        assertTrue(refused.get(0).error().startsWith("server full"), "its requests in flight keep it from eviction");

        e.advance(400 * MS);
        ByHandEngine.Received received = new ByHandEngine.Received(stuck);
        received.poll(); // the client reads what has come so far: progress
        e.settle();
        assertTrue(e.counter(CounterId.FRAMES_OUT) < 3, "the rest still waits for the client");
        e.advance(400 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "it read part of the answer 400 ms ago: not stalled");
        assertEquals(0, e.counter(CounterId.CONNECTIONS_STALLED));

        e.advance(200 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_STALLED));
        assertEquals(0, e.counter(CounterId.CONNECTIONS_ACTIVE));
        assertEquals(0, e.counter(CounterId.IN_FLIGHT));
        assertTrue(e.log().contains("answer stalled: the peer read none of it for 500 ms (--stall-timeout)"), e.log());
        NativeSocket newcomer = e.connect();
        e.send(newcomer, HxfrBytes.ping(9));
        e.settle();
        assertEquals("[PONG]", new ByHandEngine.Received(newcomer).poll().toString(), "its session is free for others");
    }

    @Test
    void aConnectionIdleWithNothingInFlightIsClosedAfterTheIdleTimeout() throws Exception {
        ByHandEngine e = start(c -> c.idleTimeoutMs(2_000));
        NativeSocket client = e.connect();
        ByHandEngine.Received received = new ByHandEngine.Received(client);
        e.send(client, HxfrBytes.ping(1));
        e.settle();
        assertEquals(1, received.poll().size(), "PONG");
        e.advance(1_500 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "not idle long enough yet");
        e.send(client, HxfrBytes.ping(2)); // activity starts the idle time again
        e.settle();
        e.advance(1_500 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE));
        e.advance(600 * MS);
        assertEquals(0, e.counter(CounterId.CONNECTIONS_ACTIVE));
        assertEquals(1, e.counter(CounterId.CONNECTIONS_IDLE));
        assertTrue(received.ended());
        assertTrue(e.log().contains("closed (unix): idle for 2000 ms with nothing in flight (--idle-timeout)"), e.log());
    }

    @Test
    void aConnectionWithARequestInFlightIsNotIdle() throws Exception {
        ByHandEngine e = start(c -> c.idleTimeoutMs(2_000).encodeAgents(1));
        e.runEncoders = false; // the request stays in flight
        NativeSocket client = e.connect();
        e.send(client, HxfrBytes.ping(1));
        e.settle();
        e.advance(5_000 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_ACTIVE), "waiting for its answer is not idle");
        e.runEncoders = true;
        e.settle();
        assertEquals(1, new ByHandEngine.Received(client).poll().size());
        e.advance(2_100 * MS);
        assertEquals(1, e.counter(CounterId.CONNECTIONS_IDLE), "idle from its last answer on");
    }

    @Test
    void aSlowLorisIsClosedWhileASteadySenderOfTheSameFrameIsServed() throws Exception {
        ByHandEngine e = start(c -> c.minReceiveRate(1_000, 1_000));
        NativeSocket loris = e.connect();
        NativeSocket steady = e.connect();
        byte[] frame = HxfrBytes.frame(PixelFormat.BGRA8888, 64, 48, 256, 1,
                HxfrBytes.pixels(PixelFormat.BGRA8888, 256, 48, 1), 0);
        e.send(loris, java.util.Arrays.copyOf(frame, 56)); // the header and fixed body at once, then 10 bytes/s
        e.send(steady, java.util.Arrays.copyOf(frame, 56));
        int lorisSent = 56;
        int steadySent = 56;
        for (int step = 0; step < 120 && steadySent < frame.length; step++) {
            if (e.counter(CounterId.CONNECTIONS_TOO_SLOW) == 0) {
                e.send(loris, new byte[] {frame[lorisSent++]});
            }
            int n = Math.min(120, frame.length - steadySent); // 1,200 bytes/s
            e.send(steady, java.util.Arrays.copyOfRange(frame, steadySent, steadySent + n));
            steadySent += n;
            e.advance(100 * MS);
        }
        e.settle();
        assertEquals(1, e.counter(CounterId.CONNECTIONS_TOO_SLOW));
        assertTrue(lorisSent < 80, "closed within about a second of trickling: " + (lorisSent - 56) + " bytes");
        assertTrue(new ByHandEngine.Received(loris).ended());
        assertEquals("[FRAME_RESPONSE pts 1]", new ByHandEngine.Received(steady).poll().toString());
        assertTrue(e.log().matches("(?s).*message too slow: 6\\d bytes in 1000 ms, the minimum is 1000 bytes per 1000 ms"
                + " \\(--min-receive-rate\\).*"), e.log());
    }

    @Test
    void sixtyFourIdleConnectionsDoNotLockOutANewcomer() throws Exception {
        ByHandEngine e = start(c -> c);
        assertEquals(64, e.config.maxConnections());
        NativeSocket[] idlers = new NativeSocket[64];
        for (int i = 0; i < idlers.length; i++) {
            idlers[i] = e.connect();
            e.send(idlers[i], HxfrBytes.ping(i));
            e.advance(10 * MS);
        }
        assertEquals(64, e.counter(CounterId.CONNECTIONS_ACTIVE));
        e.advance(2_000 * MS); // idle a while, well within the idle timeout

        NativeSocket newcomer = e.connect();
        e.send(newcomer, HxfrBytes.ping(99));
        e.settle();
        assertEquals("[PONG]", new ByHandEngine.Received(newcomer).poll().toString(), "admitted and answered");
        assertEquals(0, e.counter(CounterId.CONNECTIONS_REFUSED));
        assertEquals(1, e.counter(CounterId.CONNECTIONS_EVICTED));
        assertEquals(64, e.counter(CounterId.CONNECTIONS_ACTIVE));
        assertTrue(new ByHandEngine.Received(idlers[0]).ended(), "the longest idle made room");
        for (int i = 1; i < idlers.length; i++) {
            assertFalse(new ByHandEngine.Received(idlers[i]).ended(), "connection " + i + " still open");
        }
        assertTrue(e.log().contains("with nothing in flight, the longest of 64 connections: closed to admit a newcomer"
                + " (--max-connections 64)"), e.log());
    }

    @Test
    void aConnectionWithARequestInFlightIsNeverClosedToMakeRoom() throws Exception {
        ByHandEngine e = start(c -> c.maxConnections(2).encodeAgents(1));
        e.runEncoders = false;
        NativeSocket a = e.connect();
        NativeSocket b = e.connect();
        e.send(a, HxfrBytes.ping(1));
        e.send(b, HxfrBytes.ping(2));
        e.advance(5_000 * MS);
        NativeSocket refused = e.connect();
        List<ByHandEngine.Answer> answer = new ByHandEngine.Received(refused).poll();
        assertEquals(1, answer.size());
        assertTrue(answer.get(0).error().startsWith("server full"), answer.toString());
        assertEquals(0, e.counter(CounterId.CONNECTIONS_EVICTED));

        e.runEncoders = true; // both answered: now both are idle with nothing in flight
        e.settle();
        e.advance(2_000 * MS);
        NativeSocket admitted = e.connect();
        e.send(admitted, HxfrBytes.ping(3));
        e.settle();
        assertEquals("[PONG]", new ByHandEngine.Received(admitted).poll().toString());
        assertEquals(1, e.counter(CounterId.CONNECTIONS_EVICTED));
    }

    // ---- log flooding (issue 12, item 5) ----------------------------------------------------------------------

    @Test
    void repeatedRefusalsAreLoggedAFewTimesThenCountedInOneLine() throws Exception {
        ByHandEngine e = start(c -> c.maxConnections(1).encodeAgents(1));
        e.runEncoders = false;
        e.send(e.connect(), HxfrBytes.ping(1)); // holds the only session with a request in flight: never made room
        for (int i = 0; i < 30; i++) {
            e.connect();
        }
        assertEquals(30, e.counter(CounterId.CONNECTIONS_REFUSED), "every refusal is counted");
        assertEquals(LogRateLimit.BURST, count(e.log(), "framebridge: refused unix"), e.log());
        e.advance(10_000 * MS);
        assertTrue(e.log().contains("refused (server full, --max-connections) … (and 20 more like this in the last 10 s)"),
                e.log());
        e.connect();
        assertEquals(LogRateLimit.BURST + 1, count(e.log(), "framebridge: refused unix"), "a new window prints again");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}

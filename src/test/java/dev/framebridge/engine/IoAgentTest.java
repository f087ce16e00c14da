package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
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
}

package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.ScanoutIdFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine with real sockets and x264, driven by clients that play vsockenc's part, and by hostile ones. */
@Timeout(120)
class EngineSystemTest {
    @TempDir
    Path dir;
    EngineHarness harness;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        harness = new EngineHarness(dir, c -> configure(c.stallTimeoutMs(500).maxPayload(16L * 1024 * 1024).maxConnections(16)));
    }

    /** Subclasses run every test again with another engine layout. */
    EngineConfig configure(EngineConfig c) {
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        harness.close();
    }

    private HxfrClient client(Endpoint e) throws Exception {
        HxfrClient c = harness.connect(e);
        toClose.add(c);
        return c;
    }

    private EngineHarness.Pattern pattern(int w, int h) {
        EngineHarness.Pattern p = new EngineHarness.Pattern(w, h);
        toClose.add(p);
        return p;
    }

    /** vsockenc's pattern: one request outstanding, pixel data, a keyframe forced every 60 frames. */
    private byte[] streamLikeVsockenc(HxfrClient client, EngineHarness.Pattern p, int frames) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            long pts = i * 33_333_333L;
            client.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, pts, i % 60 == 0);
            Answer a = client.readAnswer();
            assertTrue(a.isFrame(), "frame " + i + " answered with " + a);
            assertEquals(pts, a.pts(), "pts echoed");
            assertEquals(i % 60 == 0, a.keyframe(), "keyframe flag of frame " + i);
            byte[] au = a.accessUnit().toArray(ValueLayout.JAVA_BYTE);
            assertTrue(AnnexB.startsWithStartCode(au), "Annex-B with start codes");
            List<Integer> types = AnnexB.nalTypes(au);
            if (a.keyframe()) {
                assertTrue(AnnexB.parameterSetsPrecedeIdr(types), "SPS/PPS in front of the IDR: " + types);
            }
            stream.writeBytes(au);
        }
        return stream.toByteArray();
    }

    private void assertDecodes(byte[] h264, int frames, int width, int height) throws Exception {
        Path file = dir.resolve("out-" + System.nanoTime() + ".h264");
        Files.write(file, h264);
        List<Ffmpeg.Frame> decoded = Ffmpeg.probe(file);
        assertEquals(frames, decoded.size(), "frames ffprobe decodes");
        for (int i = 0; i < decoded.size(); i++) {
            assertEquals(width, decoded.get(i).width());
            assertEquals(height, decoded.get(i).height());
            assertEquals(i % 60 == 0, decoded.get(i).key(), "keyframe at " + i);
        }
    }

    @Test
    void vsockencStyleClientOverUnixGetsDecodableH264() throws Exception {
        HxfrClient c = client(harness.unix);
        byte[] h264 = streamLikeVsockenc(c, pattern(320, 240), 75);
        assertDecodes(h264, 75, 320, 240);
        assertEquals(75, harness.counter(CounterId.FRAMES_IN));
        harness.awaitCounter(CounterId.FRAMES_OUT, 75); // counted once the write returns, which may be after the client read it
    }

    @Test
    void vsockencStyleClientOverTcpGetsDecodableH264() throws Exception {
        HxfrClient c = client(harness.tcp);
        byte[] h264 = streamLikeVsockenc(c, pattern(176, 144), 61);
        assertDecodes(h264, 61, 176, 144);
    }

    @Test
    void pingIsAnsweredWithPongEchoingTheSessionId() throws Exception {
        HxfrClient c = client(harness.unix).sessionId(4242);
        c.sendHeaderOnly(Hxfr.MSG_PING);
        Answer a = c.readAnswer();
        assertEquals(Hxfr.MSG_PONG, a.type());
        assertEquals(4242, a.sessionId());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        HxfrClient c = client(harness.unix);
        EngineHarness.Pattern p = pattern(160, 120);
        // 4 outstanding at a time (the window is 2: the rest wait in the socket), ping mixed in.
        int sent = 0;
        int received = 0;
        List<Integer> order = new ArrayList<>();
        while (received < 24) {
            while (sent < 24 && sent - received < 4) {
                if (sent % 5 == 3) {
                    c.sendHeaderOnly(Hxfr.MSG_PING);
                } else {
                    c.sendFrame(p.frame(sent), p.bytes(), p.width, p.height, p.format, p.stride, sent, false);
                }
                sent++;
            }
            Answer a = c.readAnswer();
            int expect = received++;
            if (expect % 5 == 3) {
                assertEquals(Hxfr.MSG_PONG, a.type(), "answer " + expect);
            } else {
                assertTrue(a.isFrame(), "answer " + expect + " was " + a);
                order.add((int) a.pts());
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            if (i % 5 != 3) {
                expected.add(i);
            }
        }
        assertEquals(expected, order);
    }

    @Test
    void keyframeRequestMakesTheNextFrameAnIdr() throws Exception {
        HxfrClient c = client(harness.unix);
        EngineHarness.Pattern p = pattern(160, 120);
        for (int i = 0; i < 5; i++) {
            c.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, i, false);
            assertEquals(i == 0, c.readAnswer().keyframe());
        }
        c.sendHeaderOnly(Hxfr.MSG_KEYFRAME_REQ);
        c.sendFrame(p.frame(5), p.bytes(), p.width, p.height, p.format, p.stride, 5, false);
        Answer a = c.readAnswer();
        assertTrue(a.keyframe(), "KEYFRAME_REQ has no answer; the next frame is the IDR");
        assertEquals(5, a.pts());
    }

    @Test
    void badMagicGetsInvalidMsgThenCloseAndTheServerKeepsServing() throws Exception {
        HxfrClient bad = client(harness.unix);
        MemorySegment junk = MemorySegment.ofArray("GET / HTTP/1.1\r\n\r\n".getBytes());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment native_ = a.allocate(junk.byteSize());
            native_.copyFrom(junk);
            bad.sendRaw(native_, native_.byteSize());
        }
        Answer a = bad.readAnswer();
        assertTrue(a.isError());
        assertEquals(ErrorCode.INVALID_MSG, a.errorCode());
        assertTrue(a.errorMessage().startsWith("bad magic 0x20544547"), a.errorMessage());
        IOException closed = assertThrows(IOException.class, bad::readAnswer);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());

        HxfrClient good = client(harness.unix);
        assertDecodes(streamLikeVsockenc(good, pattern(160, 120), 3), 3, 160, 120);
    }

    @Test
    void oversizePayloadIsAnsweredAndClosedWithoutAllocatingIt() throws Exception {
        HxfrClient c = client(harness.tcp);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(FrameRequestFlyweight.LENGTH);
            new FrameRequestFlyweight().wrap(m, 0).header(Hxfr.FLAG_PIXEL_DATA, 1, 0xFFFF_0000L).width(8192).height(8192)
                    .format(PixelFormat.BGRA8888.fourcc()).stride(8192 * 4).pts(9).duration(0).forceKeyframe(false);
            c.sendRaw(m, m.byteSize());
        }
        Answer a = c.readAnswer();
        assertEquals(ErrorCode.INVALID_MSG, a.errorCode());
        assertTrue(a.errorMessage().contains("exceeds the limit of 16777216 bytes"), a.errorMessage());
        assertThrows(IOException.class, c::readAnswer);
        harness.awaitCounter(CounterId.ERR_INVALID_MSG, 1);
    }

    @Test
    void invalidFrameGetsAnErrorAndTheConnectionGoesOn() throws Exception {
        HxfrClient c = client(harness.unix);
        EngineHarness.Pattern p = pattern(160, 120);
        // stride smaller than a row: rejected; its pixels are skipped, the next frame is served.
        c.sendFrame(p.frame(0), p.bytes(), p.width, p.height, p.format, 100, 1, false);
        Answer a = c.readAnswer();
        assertEquals(ErrorCode.INVALID_MSG, a.errorCode());
        assertEquals("stride 100 < width 160 x 4 bytes per pixel (AR24)", a.errorMessage());
        c.sendFrame(p.frame(1), p.bytes(), p.width, p.height, p.format, p.stride, 2, true);
        Answer b = c.readAnswer();
        assertTrue(b.isFrame());
        assertEquals(2, b.pts());
    }

    @Test
    void resourceIdWithoutPixelsGetsResourceNotFound() throws Exception {
        HxfrClient c = client(harness.unix);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(FrameRequestFlyweight.LENGTH);
            new FrameRequestFlyweight().wrap(m, 0).header(0, 1, 44).resourceId(17).width(640).height(480)
                    .format(PixelFormat.BGRA8888.fourcc()).stride(2560).pts(1).duration(0).forceKeyframe(false);
            c.sendRaw(m, m.byteSize());
        }
        Answer a = c.readAnswer();
        assertEquals(ErrorCode.RESOURCE_NOT_FOUND, a.errorCode());
        assertTrue(a.errorMessage().contains("send the pixels with flag PIXEL_DATA"), a.errorMessage());
        c.sendHeaderOnly(Hxfr.MSG_PING);
        assertEquals(Hxfr.MSG_PONG, c.readAnswer().type());
    }

    @Test
    void unknownTypesAndDisableScanoutAreSkippedAndSubscribeIsRefusedHonestly() throws Exception {
        HxfrClient c = client(harness.unix);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(64);
            new HeaderFlyweight().wrap(m, 0).set(0x42, 0, 1, 20);
            c.sendRaw(m, 12 + 20);
            ScanoutIdFlyweight.disableScanout().wrap(m, 0).header(0, 1).scanoutId(2);
            c.sendRaw(m, 16);
            ScanoutIdFlyweight.subscribe().wrap(m, 0).header(0, 1).scanoutId(3);
            c.sendRaw(m, 16);
        }
        Answer a = c.readAnswer();
        assertEquals(Hxfr.MSG_SUBSCRIBE_RESP, a.type(), "the first answer is SUBSCRIBE_RESP: nothing stray before it");
        assertEquals(3, a.sessionId());
        assertFalse(new SubscribeResponseFlyweight().wrap(c.lastAnswerBytes(), 0).success());
        assertEquals(1, harness.counter(CounterId.MESSAGES_SKIPPED));
    }

    @Test
    void hangUpMidFrameCleansTheSessionAndHarmsNoOther() throws Exception {
        HxfrClient other = client(harness.unix);
        EngineHarness.Pattern p = pattern(160, 120);
        HxfrClient quitter = harness.connect(harness.unix);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(FrameRequestFlyweight.LENGTH + 1000);
            new FrameRequestFlyweight().wrap(m, 0).header(Hxfr.FLAG_PIXEL_DATA, 1, 44 + p.bytes()).width(160).height(120)
                    .format(PixelFormat.BGRA8888.fourcc()).stride(p.stride).pts(1).duration(0).forceKeyframe(false);
            quitter.sendRaw(m, m.byteSize()); // header + 1000 of the pixel bytes, then gone
        }
        quitter.close();
        assertDecodes(streamLikeVsockenc(other, p, 5), 5, 160, 120);
        waitFor(() -> harness.counter(CounterId.CONNECTIONS_CLOSED_FAULT) == 1);
        waitFor(() -> harness.log().contains("peer hung up in the middle of a message")); // logged just after the counter
        harness.awaitCounter(CounterId.CONNECTIONS_ACTIVE, 1);
    }

    @Test
    void aMessageStalledHalfWayIsClosedAfterTheStallTimeout() throws Exception {
        HxfrClient c = client(harness.unix);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8);
            m.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Hxfr.MAGIC);
            c.sendRaw(m, 6); // half a header, then nothing
        }
        waitFor(() -> harness.counter(CounterId.CONNECTIONS_STALLED) == 1);
        assertThrows(IOException.class, c::readAnswer);
        waitFor(() -> harness.log().contains("message stalled")); // logged just after the socket closes
    }

    @Test
    void eightConcurrentStreamsAllDecode() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                Endpoint e = s % 2 == 0 ? harness.unix : harness.tcp;
                results.add(pool.submit(() -> {
                    try (HxfrClient c = harness.connect(e); EngineHarness.Pattern p = new EngineHarness.Pattern(128, 96)) {
                        return streamLikeVsockenc(c, p, 20);
                    }
                }));
            }
            for (Future<byte[]> f : results) {
                assertDecodes(f.get(), 20, 128, 96);
            }
        } finally {
            pool.shutdownNow();
        }
        harness.awaitCounter(CounterId.FRAMES_OUT, 160);
    }

    @Test
    void aClientThatStopsReadingCostsBoundedMemoryAndDoesNotSlowOthers() throws Exception {
        EngineHarness.Pattern big = pattern(640, 360);
        HxfrClient slow = client(harness.unix);
        // Keep sending, never read: the server stops reading this socket after its window fills.
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    slow.sendFrame(big.noise(i), big.bytes(), big.width, big.height, big.format, big.stride, i, false);
                }
            } catch (IOException | IllegalStateException expected) {
                // the send times out once the socket buffers are full (back-pressure), or the test closed the client
            }
        });
        writer.setDaemon(true);
        writer.start();
        // Answers fill the socket buffers, then the server's writes block, the window fills, reading stops.
        waitFor(() -> harness.counter(CounterId.BACKPRESSURE) >= 1);
        long[] last = {-1};
        waitFor(() -> {
            long now = harness.counter(CounterId.FRAMES_IN);
            boolean stable = now == last[0];
            last[0] = now;
            sleepQuietly(300);
            return stable;
        });
        long framesInBefore = harness.counter(CounterId.FRAMES_IN);
        assertTrue(framesInBefore < 200, "the server stopped reading the slow client: " + framesInBefore + " of 200 frames");
        assertTrue(harness.counter(CounterId.IN_FLIGHT) <= 2, "at most the slow client's window is held");
        HxfrClient other = client(harness.tcp);
        assertDecodes(streamLikeVsockenc(other, pattern(160, 120), 10), 10, 160, 120);
        assertEquals(framesInBefore + 10, harness.counter(CounterId.FRAMES_IN), "the slow client made no progress meanwhile");
    }

    @Test
    void enableScanoutIsAnsweredHonestlyAsNotEnabled() throws Exception {
        HxfrClient c = client(harness.unix);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(dev.framebridge.protocol.EnableScanoutFlyweight.LENGTH);
            new dev.framebridge.protocol.EnableScanoutFlyweight().wrap(m, 0).header(0, 1).scanoutId(2).width(1280)
                    .height(720).refreshRate(60);
            c.sendRaw(m, m.byteSize());
        }
        Answer a = c.readAnswer();
        assertEquals(Hxfr.MSG_SCANOUT_RESP, a.type());
        dev.framebridge.protocol.ScanoutResponseFlyweight r =
                new dev.framebridge.protocol.ScanoutResponseFlyweight().wrap(c.lastAnswerBytes(), 0);
        assertEquals(2, r.scanoutId());
        assertFalse(r.success(), "no virtual display path yet: success = 0");
    }

    @Test
    void hangUpWithRequestsInFlightReturnsTheSlotsForTheNextClients() throws Exception {
        EngineHarness.Pattern p = pattern(320, 240);
        for (int round = 0; round < 40; round++) { // 40 × 2 slots ≫ the pool's spare slots if any leaked
            HxfrClient gone = harness.connect(round % 2 == 0 ? harness.unix : harness.tcp);
            gone.sendFrame(p.frame(round), p.bytes(), p.width, p.height, p.format, p.stride, 1, true);
            gone.sendFrame(p.frame(round), p.bytes(), p.width, p.height, p.format, p.stride, 2, false);
            gone.close();
            waitFor(() -> harness.counter(CounterId.CONNECTIONS_ACTIVE) == 0 && harness.counter(CounterId.IN_FLIGHT) == 0);
        }
        HxfrClient after = client(harness.unix);
        assertDecodes(streamLikeVsockenc(after, p, 3), 3, 320, 240);
        assertEquals(41, harness.counter(CounterId.CONNECTIONS_ACCEPTED));
    }

    @Test
    void aClientThatHalfClosesStillGetsEveryAnswer() throws Exception {
        HxfrClient c = client(harness.tcp);
        EngineHarness.Pattern p = pattern(160, 120);
        for (int i = 0; i < 3; i++) {
            c.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, i, i == 0);
        }
        c.socket().shutdownOutput();
        for (int i = 0; i < 3; i++) {
            Answer a = c.readAnswer();
            assertTrue(a.isFrame(), a.toString());
            assertEquals(i, a.pts());
        }
        IOException end = assertThrows(IOException.class, c::readAnswer);
        assertTrue(end.getMessage().contains("closed"), end.getMessage());
    }

    /** Counters are updated by the I/O thread around the write a client sees, so give them a moment. */
    @Test
    void requestToAnswerAndEncodePercentilesReachTheCountersOffTheIoThread() throws Exception {
        HxfrClient c = client(harness.unix);
        streamLikeVsockenc(c, pattern(320, 240), 30);
        // published once a second by the stats thread, not by the I/O thread, one counter after another
        long[] published = harness.awaitPublished(CounterId.LATENCY_US_P50, CounterId.LATENCY_US_P99,
                CounterId.LATENCY_US_MAX, CounterId.ENCODE_US_P50);
        long p50 = published[0];
        long p99 = published[1];
        long max = published[2];
        long encodeP50 = published[3];
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= max, "request-to-answer p50 " + p50 + ", p99 " + p99 + ", max " + max);
        // x264 at 320x240 takes well over a microsecond, and a frame's answer includes its encode
        assertTrue(encodeP50 > 0 && encodeP50 <= max, "encode p50 " + encodeP50 + " µs, request-to-answer max " + max);
        assertTrue(harness.engine.agentThreads().stream().noneMatch(t -> t.getName().contains("stats")),
                "the stats thread is not an agent");
    }

    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        EngineHarness.await(condition, () -> "condition not reached");
    }
}

package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FrameMemoryBudget;
import dev.framebridge.frame.FramePool;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.ProtocolLimits;
import dev.framebridge.transport.NativeSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader driven by hand: the test writes a connected socket pair one byte at a time (or split at every offset),
 * calls {@link RequestReader#read} after each write, and plays the encode agent's part by taking each submitted slot
 * off the request ring. Nothing here depends on how the kernel happens to batch bytes.
 */
class RequestReaderTest {
    private static final int WINDOW = 8;

    @TempDir
    Path dir;
    private final Arena arena = Arena.ofShared();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> closes = new ArrayList<>();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private EngineCounters counters;
    private FramePool pool;
    private Session session;
    private OneToOneRingBuffer requests;
    private RequestReader reader;
    private NativeSocket[] pair;
    private IoConnection c;
    private long taken;

    private void start(boolean convertRgb, int window) throws Exception {
        counters = new EngineCounters(CountersFile.create(dir.resolve("counters.dat"), "test"));
        FrameMemoryBudget budget = new FrameMemoryBudget(1L << 30, null);
        pool = new FramePool(window, budget, 0, null);
        session = new Session(0, window);
        ConnectionMemory memory = new ConnectionMemory(budget, 1L << 30);
        pool.take(session.slots, window, memory);
        requests = RingMessages.newRing(64);
        EncodeDispatch dispatch = new EncodeDispatch(new OneToOneRingBuffer[] {requests},
                new WakeableIdleStrategy[] {new WakeableIdleStrategy(1, 1, 1, () -> false, new DutyCycleCounts())});
        RequestReader.Control control = (conn, reason, cause) -> {
            closes.add(reason);
            conn.state.closing();
        };
        reader = new RequestReader(new HxfrDecoder(new ProtocolLimits(1 << 24, 4096, false)), dispatch, control,
                counters, new EngineLog(new PrintStream(logBytes, true), true),
                arena.allocate(RequestReader.skipBufferBytes()), convertRgb, clock, clock,
                ByReference.start(new EngineConfig(), "x264", counters, new EngineLog(new PrintStream(logBytes, true), true)));
        pair = NativeSocket.pair();
        c = new IoConnection(session, EngineConfig.DEFAULT_MAX_POOLS);
        c.memory = memory;
        c.reset(pair[0], "unix:pair", true, clock.nanoTime());
    }

    @AfterEach
    void close() {
        if (pair != null) {
            pair[0].close();
            pair[1].close();
        }
        if (pool != null) {
            pool.give(session.slots, session.window);
            pool.close();
        }
        if (counters != null) {
            counters.close();
        }
        arena.close();
    }

    @Test
    void messagesFedOneByteAtATimeAreEachSubmittedOnceInOrder() throws Exception {
        start(true, WINDOW);
        byte[] nv12 = HxfrBytes.pixels(PixelFormat.NV12, 10, 6, 1);
        byte[] bgra = HxfrBytes.pixels(PixelFormat.BGRA8888, 28, 6, 2);
        byte[] stream = HxfrBytes.concat(
                HxfrBytes.ping(11),
                HxfrBytes.frame(PixelFormat.NV12, 8, 6, 10, 100, nv12, 5),       // 5 bytes of padding to skip
                HxfrBytes.unknown(0x42, 7),                                       // skipped, no answer
                HxfrBytes.frame(PixelFormat.BGRA8888, 6, 6, 28, 200, bgra, 0),   // converted as rows arrive
                HxfrBytes.configRequest(12, 3_000_000),
                HxfrBytes.headerOnly(Hxfr.MSG_KEYFRAME_REQ, 13),
                HxfrBytes.frame(PixelFormat.BGRA8888, 6, 6, 20, 300, new byte[120], 0), // stride < 6 x 4: ERROR
                HxfrBytes.ping(14));

        List<FrameSlot> submitted = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();
        for (byte b : stream) {
            write(new byte[] {b});
            pump();
            // Take and check each request while its slot still holds it (slots are reused once answered).
            for (FrameSlot slot = takeSubmitted(); slot != null; slot = takeSubmitted()) {
                kinds.add(slot.kind);
                submitted.add(slot);
                switch (kinds.size()) {
                    case 1 -> assertEquals(11, header(slot).sessionId());
                    case 2 -> {
                        assertFalse(slot.isConverted, "NV12 goes to the encoder as sent");
                        assertArrayEquals(nv12, slot.pixels().asSlice(0, nv12.length).toArray(ValueLayout.JAVA_BYTE));
                        assertEquals(100, new FrameRequestFlyweight().wrap(slot.request(), 0).pts());
                    }
                    case 3 -> {
                        assertTrue(slot.isConverted, "BGRA converted as its rows arrived");
                        assertConvertedLikeAWholeFrame(PixelFormat.BGRA8888, bgra, 6, 6, 28, slot);
                    }
                    case 4 -> assertEquals(3_000_000, new ConfigRequestFlyweight().wrap(slot.request(), 0).bitrate());
                    case 6 -> assertEquals("stride 20 < width 6 x 4 bytes per pixel (AR24)",
                            new ErrorFlyweight().wrap(slot.answer(), 0).message());
                    case 7 -> assertEquals(14, header(slot).sessionId());
                    default -> { }
                }
                answered();
            }
        }
        assertEquals(List.of(SlotKind.PING, SlotKind.FRAME, SlotKind.FRAME, SlotKind.CONFIG_REQ, SlotKind.KEYFRAME_REQ,
                SlotKind.ANSWERED, SlotKind.PING), kinds);
        assertEquals(1, counters.skipped.get(), "the unknown type was skipped");
        assertTrue(c.state.betweenMessages(), "ready for the next header: " + c.state);
        assertEquals(stream.length, c.bytesIn);
        assertEquals(List.of(), closes);
    }

    @Test
    void framesSplitAtEveryOffsetArriveWholeAndConvertedLikeAWholeFrame() throws Exception {
        start(true, WINDOW);
        int frames = 0;
        for (int[] f : new int[][] {{8, 6, 10}, {6, 6, 28}, {7, 5, 32}}) {
            PixelFormat format = f[2] == 10 ? PixelFormat.NV12 : PixelFormat.BGRA8888;
            int width = f[0];
            int height = f[1];
            int stride = f[2];
            int length = HxfrBytes.frame(format, width, height, stride, 0, HxfrBytes.pixels(format, stride, height, 0), 3).length;
            for (int split = 1; split < length; split++, frames++) {
                // New pixels every time: a slot reused from an earlier frame must not hide a row converted too soon.
                byte[] pixels = HxfrBytes.pixels(format, stride, height, frames);
                byte[] message = HxfrBytes.frame(format, width, height, stride, frames, pixels, 3);
                write(java.util.Arrays.copyOfRange(message, 0, split));
                pump();
                write(java.util.Arrays.copyOfRange(message, split, message.length));
                pump();
                FrameSlot slot = takeSubmitted();
                String where = format + " " + width + "x" + height + " split at " + split;
                assertTrue(slot != null && slot.kind == SlotKind.FRAME, where);
                assertEquals(null, takeSubmitted(), "one request for one message, " + where);
                if (format == PixelFormat.NV12) {
                    assertArrayEquals(pixels, slot.pixels().asSlice(0, pixels.length).toArray(ValueLayout.JAVA_BYTE), where);
                } else {
                    assertTrue(slot.isConverted, where);
                    assertConvertedLikeAWholeFrame(format, pixels, width, height, stride, slot);
                }
                assertTrue(c.state.betweenMessages(), where + ": " + c.state);
                answered();
            }
        }
        assertEquals(frames, counters.framesIn.get());
        assertEquals(List.of(), closes);
    }

    @Test
    void aFullWindowPausesReadingUntilAnAnswerMakesRoom() throws Exception {
        start(false, 2);
        write(HxfrBytes.concat(HxfrBytes.ping(1), HxfrBytes.ping(2), HxfrBytes.ping(3)));
        pump();
        assertEquals(2, c.inFlight());
        assertTrue(c.state.readPaused(), "window full: " + c.state);
        assertEquals(0, c.state.wantedEvents() & LibC.EPOLLIN, "not watched for input while paused");
        assertEquals(1, counters.backpressure.get());
        takeSubmitted();
        answered();
        pump();
        assertEquals(2, c.inFlight(), "the third request was read once there was room");
        assertEquals(3, header(session.slot(2)).sessionId());
    }

    @Test
    void aPeerThatHalfClosesWithRequestsInFlightIsAnsweredThenClosed() throws Exception {
        start(false, WINDOW);
        write(HxfrBytes.ping(1));
        pair[1].shutdownOutput();
        pump();
        assertEquals(1, c.inFlight());
        assertTrue(c.state.answeringThenClosing(), c.state.toString());
        assertEquals(0, c.state.wantedEvents(), "nothing more to read, nothing to write yet");
        assertEquals("peer closed its sending side; answered the requests in flight", c.closeReason);
        assertEquals(List.of(), closes, "not closed before the answer is written");
    }

    @Test
    void aPeerThatHalfClosesMidPixelsHasTheFrameDroppedAndTheRequestsInFlightAnsweredThenClosed() throws Exception {
        start(true, WINDOW);
        byte[] frame = HxfrBytes.frame(PixelFormat.BGRA8888, 6, 6, 28, 200, HxfrBytes.pixels(PixelFormat.BGRA8888, 28, 6, 2), 0);
        write(HxfrBytes.concat(HxfrBytes.ping(1), java.util.Arrays.copyOf(frame, frame.length - 30)));
        pump();
        pump();
        assertEquals(ConnectionState.PAYLOAD, c.state.phase(), c.state.toString());
        pair[1].shutdownOutput();
        pump();
        assertEquals(1, c.inFlight(), "the PING only: the frame was never whole, so it is not a request");
        assertTrue(c.state.answeringThenClosing(), c.state.toString());
        assertFalse(c.state.midMessage(), "the partial frame was dropped");
        assertEquals(0, c.state.wantedEvents(), "nothing more to read, nothing to write yet");
        assertEquals("peer closed its sending side in the middle of a message (dropped, it was not whole);"
                + " answered the requests in flight", c.closeReason);
        assertEquals(counters.closedFault, c.closeCause);
        assertEquals(List.of(), closes, "not closed before the PING's answer is written");
    }

    @Test
    void aPeerThatHalfClosesMidBodyWithNothingInFlightIsClosedAsAFault() throws Exception {
        start(false, WINDOW);
        write(java.util.Arrays.copyOf(HxfrBytes.configRequest(1, 3_000_000), 14));
        pump();
        assertEquals(ConnectionState.BODY, c.state.phase(), c.state.toString());
        pair[1].shutdownOutput();
        pump();
        assertEquals(List.of("peer hung up in the middle of a message"), closes);
    }

    @Test
    void aPeerThatHangsUpMidHeaderIsClosedAsAFault() throws Exception {
        start(false, WINDOW);
        write(java.util.Arrays.copyOf(HxfrBytes.ping(1), 5));
        pump();
        assertTrue(c.state.midMessage());
        pair[1].close();
        pump();
        assertEquals(List.of("peer hung up in the middle of a message"), closes);
    }

    @Test
    void badMagicIsAnsweredAndTheConnectionStopsReading() throws Exception {
        start(false, WINDOW);
        write("GET / HTTP/1.1\r\n\r\n".getBytes());
        pump();
        FrameSlot slot = takeSubmitted();
        assertEquals(SlotKind.ANSWERED, slot.kind);
        assertTrue(new ErrorFlyweight().wrap(slot.answer(), 0).message().startsWith("bad magic"));
        assertTrue(c.state.answeringThenClosing());
        assertEquals(12, c.bytesIn, "nothing read past the bad header");
    }

    // ---- the test's side of the reader --------------------------------------------------------------------

    private void write(byte[] bytes) throws Exception {
        MemorySegment m = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long off = 0;
        while (off < bytes.length) {
            off += pair[1].write(m, off, bytes.length - off);
        }
    }

    /** Calls the reader until it makes no more progress (it returns after each complete request). */
    private void pump() {
        for (int i = 0; i < 10_000 && reader.read(c) > 0; i++) {
            clock.advance(1);
        }
    }

    /** The encode agent's part: the next submitted slot, or null. */
    private FrameSlot takeSubmitted() {
        int[] got = {0};
        requests.read((type, buffer, index, length) -> {
            assertEquals(RingMessages.REQUEST, type);
            assertEquals(session.index, buffer.getInt(index));
            got[0]++;
        }, 1);
        return got[0] == 0 ? null : session.slot(taken++);
    }

    /** The I/O agent's part once the answer is written: the slot is free and reading may go on. */
    private void answered() {
        c.answered++;
        c.state.resumeReading();
    }

    private static HeaderFlyweight header(FrameSlot slot) {
        return new HeaderFlyweight().wrap(slot.request(), 0);
    }

    /** The slot's NV12 equals what converting the whole frame in one call gives (visible bytes of each row). */
    private void assertConvertedLikeAWholeFrame(PixelFormat format, byte[] pixels, int width, int height, int stride,
                                                FrameSlot slot) {
        MemorySegment src = arena.allocate(pixels.length);
        MemorySegment.copy(pixels, 0, src, ValueLayout.JAVA_BYTE, 0, pixels.length);
        MemorySegment expected = arena.allocate(RgbToNv12.bytes(width, height));
        int rows = RgbToNv12.convertibleRows(height, height);
        assertEquals(0, RgbToNv12.convertRows(format, src.address(), stride, width, height, expected.address(), 0, rows));
        int planeStride = RgbToNv12.planeStride(width);
        int visible = width & ~1;
        MemorySegment got = slot.converted();
        for (int row = 0; row < rows + rows / 2; row++) {
            long at = (long) row * planeStride;
            assertArrayEquals(expected.asSlice(at, visible).toArray(ValueLayout.JAVA_BYTE),
                    got.asSlice(at, visible).toArray(ValueLayout.JAVA_BYTE), "NV12 row " + row);
        }
    }
}

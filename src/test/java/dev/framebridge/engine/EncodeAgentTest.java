package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FrameMemoryBudget;
import dev.framebridge.frame.FramePool;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encode agent driven by hand ({@code doWork()} on the test thread), with real x264 behind a backend that counts
 * encoder calls, and the test playing the I/O agent's part: it fills the request ring, drains the answer ring and
 * marks frame answers written.
 */
class EncodeAgentTest {
    private static final int FILLER = 99;
    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void aFullAnswerRingDelaysAFrameButNeverEncodesItTwice() throws Exception {
        CountingBackend backend = new CountingBackend(EncoderRegistry.standard().select("x264").backend());
        EngineCounters counters = new EngineCounters(CountersFile.create(dir.resolve("counters.dat"), "test"));
        toClose.add(counters);
        FrameMemoryBudget budget = new FrameMemoryBudget(1L << 30, null);
        FramePool pool = new FramePool(8, budget, 0, null);
        toClose.add(pool::close);
        Session session = new Session(0, 8);
        pool.take(session.slots, session.window, new ConnectionMemory(budget, 1L << 30));
        OneToOneRingBuffer requests = RingMessages.newRing(64);
        OneToOneRingBuffer answers = RingMessages.newRing(64);
        EncoderDefaults defaults = new EncoderDefaults(0, 30, 1, 60, 77, "ultrafast", 1, counters.encoderOpens);
        EncodeAgent agent = new EncodeAgent(0, requests, answers, backend, defaults, new Session[] {session},
                org.agrona.concurrent.SystemNanoClock.INSTANCE,
                () -> { }, (s, m) -> { throw new AssertionError("encoder error: " + m); });
        toClose.add(agent::onClose);

        // Fill the answer ring with records of the test's own, as if the I/O agent had fallen behind.
        UnsafeBuffer filler = new UnsafeBuffer(ByteBuffer.allocateDirect(RingMessages.LENGTH));
        int fillers = 0;
        while (answers.write(FILLER, filler, 0, RingMessages.LENGTH)) {
            fillers++;
        }
        assertTrue(fillers > 0);

        // Seven requests: frames with a PING in the middle, all published before the agent runs.
        int requestsSent = 7;
        int framesSent = 0;
        for (int i = 0; i < requestsSent; i++) {
            FrameSlot slot = session.slot(i);
            if (i == 3) {
                new HeaderFlyweight().wrap(slot.request(), 0).set(Hxfr.MSG_PING, 0, 1, 0);
                slot.kind = SlotKind.PING;
            } else {
                fillNv12Frame(slot, i);
                framesSent++;
            }
            UnsafeBuffer index = new UnsafeBuffer(ByteBuffer.allocateDirect(RingMessages.LENGTH));
            index.putInt(0, session.index);
            assertTrue(requests.write(RingMessages.REQUEST, index, 0, RingMessages.LENGTH));
        }

        for (int i = 0; i < 5; i++) {
            agent.doWork();
        }
        assertEquals(0, backend.encodeCalls, "nothing is encoded while the answer ring has no room");
        assertTrue(agent.answerRingFullCount() > 0, "the agent met the full ring");

        // Drain one record at a time, as a slow I/O agent would, running the agent between reads.
        List<Long> answeredPts = new ArrayList<>();
        List<Integer> answeredTypes = new ArrayList<>();
        int[] fillersSeen = {0};
        int rounds = 0;
        while (answeredTypes.size() < requestsSent) {
            assertTrue(++rounds < 1_000, "answers stopped coming: " + answeredTypes);
            answers.read((type, buffer, offset, length) -> {
                if (type == FILLER) {
                    fillersSeen[0]++;
                    return;
                }
                assertEquals(RingMessages.ANSWER, type);
                FrameSlot slot = session.slot(answeredTypes.size());
                int answerType = slot.answer().get(ValueLayout.JAVA_BYTE, dev.framebridge.protocol.MessageFlyweight.TYPE_OFFSET) & 0xFF;
                answeredTypes.add(answerType);
                if (answerType == Hxfr.MSG_FRAME_RESPONSE) {
                    answeredPts.add(new FrameResponseFlyweight().wrap(slot.answer(), 0).pts());
                }
                if (slot.answerUsesEncoderMemory) {
                    session.frameWritten(); // the I/O agent wrote it: the encoder's memory is free again
                }
            }, 1);
            agent.doWork();
            agent.doWork();
        }

        assertEquals(fillers, fillersSeen[0]);
        assertEquals(framesSent, backend.encodeCalls, "each frame was encoded exactly once");
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 6L), answeredPts, "each frame answered once, in order");
        assertEquals(Hxfr.MSG_PONG, (int) answeredTypes.get(3), "the PING answered in its place");
        assertEquals(0, answers.size(), "no answer beyond one per request");
    }

    private static void fillNv12Frame(FrameSlot slot, long pts) {
        long bytes = PixelFormat.NV12.frameBytes(WIDTH, HEIGHT);
        new FrameRequestFlyweight().wrap(slot.request(), 0).header(Hxfr.FLAG_PIXEL_DATA, 1,
                        FrameRequestFlyweight.BODY_LENGTH + bytes).width(WIDTH).height(HEIGHT)
                .format(PixelFormat.NV12.fourcc()).stride(WIDTH).pts(pts).duration(0).forceKeyframe(false);
        // as the I/O agent does: size the slot for the frame, then charge it as the bytes "arrive"
        assertEquals(dev.framebridge.frame.ConnectionMemory.GRANTED, slot.prepareFrame(bytes, WIDTH, HEIGHT, 0, 0, 0));
        for (long at = 0; at < bytes; ) {
            at = slot.receivable(at, bytes);
            assertTrue(at > 0, "frame memory refused");
        }
        MemorySegment pixels = slot.pixels();
        for (long i = 0; i < bytes; i++) {
            pixels.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + pts * 13));
        }
        slot.kind = SlotKind.FRAME;
        slot.isConverted = false;
    }

    /** The real backend, counting calls into its encoders (the behaviour under test is how often it is called). */
    static final class CountingBackend implements EncoderBackend {
        private final EncoderBackend real;
        int encodeCalls;

        CountingBackend(EncoderBackend real) {
            this.real = real;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public String unavailableReason() {
            return real.unavailableReason();
        }

        @Override
        public boolean takesConvertedRgb() {
            return real.takesConvertedRgb();
        }

        @Override
        public Encoder open(EncoderConfig config) throws EncoderException {
            Encoder encoder = real.open(config);
            return new Encoder() {
                @Override
                public String name() {
                    return encoder.name();
                }

                @Override
                public EncoderConfig config() {
                    return encoder.config();
                }

                @Override
                public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
                        throws EncoderException {
                    encodeCalls++;
                    encoder.encode(pixels, stride, pts, forceIdr, out);
                }

                @Override
                public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
                        throws EncoderException {
                    encodeCalls++;
                    encoder.encodeConverted(nv12, pts, forceIdr, out);
                }

                @Override
                public void reconfigure(EncoderConfig c) throws EncoderException {
                    encoder.reconfigure(c);
                }

                @Override
                public void close() {
                    encoder.close();
                }
            };
        }
    }
}

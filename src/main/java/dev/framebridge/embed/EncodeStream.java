package dev.framebridge.embed;

import dev.framebridge.engine.EncodeCore;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.protocol.CString;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.MessageFlyweight;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One H.264 stream: its own encoder (opened with the first frame, reopened when the size or format changes), fed
 * {@link Frame}s by one producer thread, answered through its {@link AccessUnitHandler} in submission order. At most
 * the engine's {@code maxInFlight} frames are in the engine at once; {@link #submit} waits for room.
 *
 * <p>A submitted frame's memory is the engine's until its answer has been handled: the encoder reads it in place.
 */
public final class EncodeStream implements AutoCloseable {
    private static final long CLOSE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final EmbeddedEngine engine;
    private final EncodeCore core;
    private final int session;
    private final AccessUnitHandler handler;
    private final AccessUnit accessUnit = new AccessUnit(this);
    /** Frames in flight by slot, held so their memory stays reachable until answered. */
    private final Frame[] inFlight;
    private final FrameRefFlyweight ref = new FrameRefFlyweight();
    private final FrameResponseFlyweight response = new FrameResponseFlyweight();
    private final FrameRefFlyweight answeredRef = new FrameRefFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final AtomicLong handlerFailures = new AtomicLong();
    private long submitted;
    private long answered;
    private boolean forceKeyframe;
    private volatile boolean closed;

    EncodeStream(EmbeddedEngine engine, EncodeCore core, int session, AccessUnitHandler handler) {
        this.engine = engine;
        this.core = core;
        this.session = session;
        this.handler = handler;
        this.inFlight = new Frame[core.window()];
    }

    /**
     * Submits a frame, waiting while the window is full (back-pressure). Allocation-free.
     *
     * @param pts           presentation time (ns), handed back with the access unit
     * @param forceKeyframe make this frame an IDR
     * @throws IllegalStateException when the stream is closed or the frame's memory was freed
     * @throws InterruptedException  when interrupted while waiting for room (nothing was submitted)
     */
    public void submit(Frame frame, long pts, boolean forceKeyframe) throws InterruptedException {
        awaitRoom();
        publish(frame, pts, forceKeyframe);
    }

    /**
     * Waits until fewer than {@code maxInFlight} frames are in flight. Every frame submitted before the last
     * {@code maxInFlight - 1} has then been answered: with {@code maxInFlight} buffers used in turn, the next buffer is
     * free to draw into once this returns.
     */
    public void awaitRoom() throws InterruptedException {
        while (!core.awaitRoom(session, TimeUnit.SECONDS.toNanos(1))) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted waiting for room in the stream's window");
            }
            requireOpen();
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted waiting for room in the stream's window");
        }
    }

    /** Submits the frame if the window has room now; false (nothing submitted) when it is full. */
    public boolean trySubmit(Frame frame, long pts, boolean forceKeyframe) {
        if (core.inFlight(session) >= core.window()) {
            return false;
        }
        publish(frame, pts, forceKeyframe);
        return true;
    }

    private void publish(Frame frame, long pts, boolean forceKeyframe) {
        requireOpen();
        if (!frame.memory().scope().isAlive()) {
            throw new IllegalStateException("the frame's memory was freed (its arena is closed): " + frame);
        }
        FrameSlot slot = core.nextSlot(session);
        FrameRefFlyweight r = ref.wrap(slot.request(), 0);
        frame.writeTo(r);
        r.pts(pts).refFlags(forceKeyframe || this.forceKeyframe ? Hxfr.REF_FLAG_KEYFRAME : 0);
        this.forceKeyframe = false;
        slot.referenceBase = frame.memory().address();
        slot.referenceSyncFd = -1;
        inFlight[(int) (submitted % inFlight.length)] = frame;
        submitted++;
        core.submit(session);
    }

    /** Makes the next frame submitted an IDR. */
    public void requestKeyframe() {
        forceKeyframe = true;
    }

    /** Frames submitted and not yet answered. */
    public int inFlight() {
        return core.inFlight(session);
    }

    /** Times the handler threw (the stream went on; each throw is also passed to the engine's error handler). */
    public long handlerFailures() {
        return handlerFailures.get();
    }

    public EmbeddedEngine engine() {
        return engine;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the stream is closed");
        }
    }

    /** On the delivery thread: the answer to the next frame, in order. */
    void deliver(FrameSlot slot) {
        int index = (int) (answered % inFlight.length);
        answered++;
        try {
            int type = slot.answer().get(ValueLayout.JAVA_BYTE, MessageFlyweight.TYPE_OFFSET) & 0xFF;
            if (type == Hxfr.MSG_FRAME_RESPONSE && slot.answerUsesEncoderMemory) {
                FrameResponseFlyweight r = response.wrap(slot.answer(), 0);
                accessUnit.set(slot.answerBodyAddress, slot.answerBodyLength, r.pts(), r.dts(), r.isKeyframe());
                handler.onAccessUnit(accessUnit);
            } else {
                ErrorFlyweight e = error.wrap(slot.answer(), 0);
                long pts = answeredRef.wrap(slot.request(), 0).pts();
                handler.onError(this, pts, e.errorCode(), CString.read(slot.answer(), ErrorFlyweight.MESSAGE_OFFSET,
                        Hxfr.ERROR_MESSAGE_LEN));
            }
        } catch (RuntimeException | Error e) {
            handlerFailures.incrementAndGet();
            engine.handlerFailed(this, e);
        } finally {
            inFlight[index] = null;
        }
    }

    /**
     * Waits for the frames in flight to be answered (at most 10 s; later answers are dropped), then closes the
     * stream's encoder and frees its place for another stream.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        core.close(session, CLOSE_TIMEOUT_NS);
        engine.streamClosed(session);
    }
}

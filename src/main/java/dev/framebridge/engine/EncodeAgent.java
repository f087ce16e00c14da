package dev.framebridge.engine;

import dev.framebridge.encode.DmaBufFrame;
import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.FramePlanes;
import dev.framebridge.ffi.DmaBuf;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.EnableScanoutFlyweight;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.ScanoutIdFlyweight;
import dev.framebridge.protocol.ScanoutResponseFlyweight;
import dev.framebridge.protocol.SubscribeResponseFlyweight;
import dev.framebridge.push.Scanouts;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Owns sessions' encoders: takes filled slots from its request ring in order, encodes (or answers PING,
 * CONFIG_REQ …), writes the answer prefix into the slot and publishes the slot on its answer ring. Because one
 * agent owns a session, answers leave in request order. An answer to a frame points into the encoder's own
 * output memory; the session's encoder is not called again until the I/O agent has written that answer.
 */
final class EncodeAgent implements Agent {
    private static final int READ_LIMIT = 64;

    private final int id;
    private final OneToOneRingBuffer requests;
    private final OneToOneRingBuffer answers;
    private final EncoderBackend backend;
    private final EncoderDefaults defaults;
    private final EncoderThreadBudget budget;
    private final Session[] sessionTable;
    private final EncodeSession[] owned;
    private final int[] active;
    private int activeCount;
    /** Where the next duty cycle starts among the active sessions: each gets its turn first, none is starved. */
    private int firstTurn;
    private long answerRingFull;
    private final MutableDirectBuffer scratch = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(RingMessages.LENGTH));
    private final MessageHandler onRequest = this::onRequest;
    private final Runnable wakeIo;
    private final ErrorSink errors;
    private final NanoClock clock;
    private final DutyCycleCounts duty = new DutyCycleCounts();

    private final FrameRequestFlyweight frameRequest = new FrameRequestFlyweight();
    private final FrameRefFlyweight frameRef = new FrameRefFlyweight();
    private final FramePlanes planes = new FramePlanes();
    private final DmaBuf dmaBuf = new DmaBuf();
    private final DmaBufFrame gpuFrame = new DmaBufFrame();
    private final FrameResponseFlyweight frameResponse = new FrameResponseFlyweight();
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final ConfigRequestFlyweight configRequest = new ConfigRequestFlyweight();
    private final EnableScanoutFlyweight enableScanout = new EnableScanoutFlyweight();
    private final ScanoutIdFlyweight subscribe = ScanoutIdFlyweight.subscribe();
    private final ScanoutResponseFlyweight scanoutResponse = new ScanoutResponseFlyweight();
    private final SubscribeResponseFlyweight subscribeResponse = new SubscribeResponseFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final EncodedFrame encoded = new EncodedFrame();
    private final StringBuilder message = new StringBuilder(256);
    /** Push mode's scanouts: SUBSCRIBE, ENABLE_SCANOUT and DISABLE_SCANOUT are answered from them. */
    private Scanouts scanouts = Scanouts.none();

    /** Sink for failures the agent survives: counted, logged once per distinct cause. */
    interface ErrorSink {
        void onEncoderError(int sessionIndex, String message);
    }

    EncodeAgent(int id, OneToOneRingBuffer requests, OneToOneRingBuffer answers, EncoderBackend backend,
                EncoderDefaults defaults, Session[] sessionTable, NanoClock clock, Runnable wakeIo, ErrorSink errors) {
        this.id = id;
        this.requests = requests;
        this.answers = answers;
        this.backend = backend;
        this.defaults = defaults;
        this.budget = defaults.threadBudget();
        this.sessionTable = sessionTable;
        this.owned = new EncodeSession[sessionTable.length];
        for (int i = 0; i < owned.length; i++) {
            owned[i] = new EncodeSession();
        }
        this.active = new int[sessionTable.length];
        this.wakeIo = wakeIo;
        this.errors = errors;
        this.clock = clock;
    }

    /** Set once, before the agent runs. */
    void scanouts(Scanouts s) {
        this.scanouts = s;
    }

    @Override
    public String roleName() {
        return "framebridge-encode-" + id;
    }

    /** How often this agent ran its duty cycle and its idle strategy parked (when it has a thread of its own). */
    DutyCycleCounts dutyCycles() {
        return duty;
    }

    boolean hasWork() {
        if (requests.size() > 0) {
            return true;
        }
        for (int i = 0; i < activeCount; i++) {
            EncodeSession es = owned[active[i]];
            if (es.processed < es.received && !es.encoderOutputInUse()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int doWork() {
        duty.cycle();
        int work = requests.read(onRequest, READ_LIMIT);
        int published = 0;
        int n = activeCount;
        if (n > 0) {
            // Round-robin: the session served first this cycle is served last next cycle.
            int start = firstTurn < n ? firstTurn : 0;
            firstTurn = start + 1;
            for (int k = 0; k < n; k++) {
                int i = start + k;
                published += process(owned[active[i < n ? i : i - n]]);
            }
        }
        if (published > 0) {
            wakeIo.run();
        }
        return work + published;
    }

    private void onRequest(int msgTypeId, DirectBuffer buffer, int index, int length) {
        int sessionIndex = buffer.getInt(index);
        EncodeSession es = owned[sessionIndex];
        if (msgTypeId == RingMessages.REQUEST) {
            if (!es.active) {
                es.reset(sessionTable[sessionIndex]);
                active[activeCount++] = sessionIndex;
            }
            es.received++;
        } else if (msgTypeId == RingMessages.CLOSE) {
            closeSession(es, sessionIndex);
        }
    }

    private void closeSession(EncodeSession es, int sessionIndex) {
        closeEncoder(es);
        if (es.active) {
            es.active = false;
            for (int i = 0; i < activeCount; i++) {
                if (active[i] == sessionIndex) {
                    active[i] = active[--activeCount];
                    break;
                }
            }
        }
        es.session = null;
        publish(RingMessages.CLOSED, sessionIndex, true);
        wakeIo.run();
    }

    /**
     * Answers the session's filled slots in order; returns how many answers it published. Room for each answer is
     * claimed on the answer ring before the slot is touched: when the ring is full nothing is encoded, and the slot
     * is taken up again, from the start, once the I/O agent has drained the ring. A frame is encoded exactly once.
     */
    private int process(EncodeSession es) {
        int published = 0;
        Session session = es.session;
        while (es.processed < es.received) {
            FrameSlot slot = session.slot(es.processed);
            int kind = slot.kind;
            if ((kind == SlotKind.FRAME || kind == SlotKind.FRAME_REF || kind == SlotKind.CONFIG_REQ)
                    && es.encoderOutputInUse()) {
                break; // the previous access unit is still being written from the encoder's memory
            }
            int claimed = answers.tryClaim(RingMessages.ANSWER, RingMessages.LENGTH);
            if (claimed < 0) {
                answerRingFull++;
                break; // no room for the answer: leave the slot untouched until the I/O agent drains the ring
            }
            try {
                answer(es, slot, kind);
            } finally {
                // Committed whatever happened: a claimed record left uncommitted would block the ring for good.
                answers.buffer().putInt(claimed, session.index);
                answers.commit(claimed);
            }
            if (slot.answerUsesEncoderMemory) {
                es.framesPublished++;
            }
            es.processed++;
            published++;
        }
        return published;
    }

    /** Writes the slot's answer (or, for KEYFRAME_REQ and skipped types, leaves it empty). */
    private void answer(EncodeSession es, FrameSlot slot, int kind) {
        if (kind != SlotKind.ANSWERED) {
            slot.resetAnswer(); // an ANSWERED slot carries the I/O agent's ERROR: keep it
        }
        try {
            switch (kind) {
                case SlotKind.FRAME -> encodeFrame(es, slot);
                case SlotKind.FRAME_REF -> encodeFrameRef(es, slot);
                case SlotKind.PING -> answerPing(slot);
                case SlotKind.KEYFRAME_REQ -> es.forceIdr = true;
                case SlotKind.CONFIG_REQ -> configure(es, slot);
                case SlotKind.ENABLE_SCANOUT -> answerEnableScanout(slot);
                case SlotKind.SUBSCRIBE -> answerSubscribe(slot);
                case SlotKind.DISABLE_SCANOUT -> disableScanout(slot);
                case SlotKind.ANSWERED -> { }
                default -> answerError(slot, ErrorCode.INTERNAL, "internal: slot of unknown kind");
            }
        } catch (RuntimeException e) {
            // A bug, not a client's fault: the request is still answered (with INTERNAL) and the agent goes on.
            errors.onEncoderError(es.session.index, String.valueOf(e));
            answerError(slot, ErrorCode.INTERNAL, "internal error answering this request; see the server log");
        }
    }

    /** Times an answer had to wait for room on the answer ring (it cannot fill while rings are sized as now). */
    long answerRingFullCount() {
        return answerRingFull;
    }

    private void encodeFrame(EncodeSession es, FrameSlot slot) {
        FrameRequestFlyweight req = frameRequest.wrap(slot.request(), 0);
        int width = (int) req.width();
        int height = (int) req.height();
        PixelFormat format = PixelFormat.ofFourcc(req.format());
        long pts = req.pts();
        int sessionId = req.sessionId();
        boolean idr = req.forceKeyframe() || es.forceIdr;
        slot.encodeStartNanos = clock.nanoTime();
        try {
            ensureEncoder(es, width, height, format, idr);
            long start = clock.nanoTime();
            if (slot.isConverted) {
                es.encoder.encodeConverted(slot.converted(), pts, idr, encoded);
            } else {
                es.encoder.encode(slot.pixels(), (int) req.stride(), pts, idr, encoded);
            }
            encoded(es, slot, start);
        } catch (EncoderException | RuntimeException e) {
            answerEncodeFailure(es, slot, sessionId, e);
            return;
        }
        answerAccessUnit(es, slot, sessionId, pts);
    }

    /** A frame the encoder took: its encode time (the stage times in stat) and the session's frame count. */
    private void encoded(EncodeSession es, FrameSlot slot, long start) {
        long end = clock.nanoTime();
        slot.encodeNanos = end - start;
        slot.encodeEndNanos = end;
        es.countFrame(encoded.keyframe());
    }

    /** An encoder that failed on this frame: its message goes to the error sink and, as ENCODE_FAILED, to the client. */
    private void answerEncodeFailure(EncodeSession es, FrameSlot slot, int sessionId, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        errors.onEncoderError(es.session.index, why);
        message.setLength(0);
        message.append(backend.name()).append(": ").append(why);
        answerError(slot, sessionId, ErrorCode.ENCODE_FAILED, message);
    }

    /** The answer to an encoded frame: the FRAME_RESPONSE prefix here, the access unit in the encoder's memory. */
    private void answerAccessUnit(EncodeSession es, FrameSlot slot, int sessionId, long pts) {
        es.forceIdr = false;
        long auBytes = encoded.length();
        frameResponse.wrap(slot.answer(), 0).singleEntry(sessionId, pts, encoded.dts(), encoded.keyframe(), auBytes);
        slot.answerLength = FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH;
        slot.answerBodyAddress = encoded.address();
        slot.answerBodyLength = auBytes;
        slot.answerUsesEncoderMemory = true;
    }

    /**
     * A frame by reference: its planes are read where they lie, in the pool the I/O agent checked them against
     * (NV12/I420 handed to the encoder in place, BGRA/RGBA converted from there into the encoder's planes). A DMA-BUF's
     * reads are bracketed by DMA_BUF_IOCTL_SYNC — unless the session's encoder imported the DMA-BUF into its GPU
     * ({@link Encoder#encodeDmaBuf}: h264_vaapi, NV12), when no CPU reads it at all. Nothing reads the pool after this
     * returns.
     */
    private void encodeFrameRef(EncodeSession es, FrameSlot slot) {
        FrameRefFlyweight ref = frameRef.wrap(slot.request(), 0);
        PixelFormat format = PixelFormat.ofFourcc(ref.format());
        long pts = ref.pts();
        int sessionId = ref.sessionId();
        boolean idr = ref.forceKeyframe() || es.forceIdr;
        long base = slot.referenceBase + ref.frameOffset();
        planes.clear();
        for (int p = 0; p < format.planes(); p++) {
            planes.plane(p, base + ref.planeOffset(p), (int) ref.stride(p));
        }
        int syncFd = slot.referenceSyncFd;
        slot.encodeStartNanos = clock.nanoTime();
        try {
            ensureEncoder(es, (int) ref.width(), (int) ref.height(), format, idr);
            long start = clock.nanoTime();
            // A DMA-BUF is offered to the GPU first (h264_vaapi imports NV12 ones, no CPU copy); any other outcome
            // leaves the frame for the CPU path below, as for every other pool.
            if (syncFd < 0 || es.encoder.encodeDmaBuf(gpuFrame.set(syncFd, slot.referenceBase, slot.referenceSize),
                    planes, pts, idr, encoded) != DmaBufFrame.ENCODED) {
                if (syncFd >= 0 && dmaBuf.beginRead(syncFd) != 0) {
                    message.setLength(0);
                    message.append("DMA_BUF_IOCTL_SYNC (start, read) on the pool failed: errno ").append(dmaBuf.errno())
                            .append("; the frame was not read");
                    answerError(slot, sessionId, ErrorCode.ENCODE_FAILED, message);
                    return;
                }
                start = clock.nanoTime();
                try {
                    es.encoder.encodePlanes(planes, pts, idr, encoded);
                } finally {
                    if (syncFd >= 0) {
                        dmaBuf.endRead(syncFd);
                    }
                }
            }
            encoded(es, slot, start);
        } catch (EncoderException | RuntimeException e) {
            answerEncodeFailure(es, slot, sessionId, e);
            return;
        }
        answerAccessUnit(es, slot, sessionId, pts);
    }

    /**
     * Opens the session's encoder with its share of the thread budget, or reopens it for a new size or format; at an
     * IDR (forced, or due by the keyframe interval) a changed share of the budget reopens it too.
     *
     * @param idr the next frame is forced to be an IDR
     */
    private void ensureEncoder(EncodeSession es, int width, int height, PixelFormat format, boolean idr)
            throws EncoderException {
        EncoderConfig current = es.config;
        if (es.encoder != null && current.width() == width && current.height() == height && current.inputFormat() == format) {
            if ((idr || es.framesSinceKeyframe + 1 >= current.keyintMax()) && budget.share() != current.threads()) {
                reopen(es, defaults.configFor(width, height, format, es, budget.share()));
            }
            return;
        }
        if (es.encoder == null) {
            int threads = budget.opening();
            EncoderConfig wanted = defaults.configFor(width, height, format, es, threads);
            try {
                es.encoder = backend.open(wanted);
            } catch (EncoderException | RuntimeException e) {
                budget.notOpened();
                throw e;
            }
            es.config = wanted;
            es.framesSinceKeyframe = 0;
            budget.opened(es.session, threads);
            defaults.onEncoderOpened();
        } else {
            reopen(es, defaults.configFor(width, height, format, es, budget.share()));
        }
    }

    /** A new size, format or thread count: the encoder starts a new stream (its next frame is an IDR). */
    private void reopen(EncodeSession es, EncoderConfig wanted) throws EncoderException {
        int before = es.config.threads();
        es.encoder.reconfigure(wanted);
        es.config = wanted;
        es.framesSinceKeyframe = 0;
        budget.changed(es.session, before, wanted.threads());
        defaults.onEncoderOpened();
    }

    private void configure(EncodeSession es, FrameSlot slot) {
        ConfigRequestFlyweight cfg = configRequest.wrap(slot.request(), 0);
        es.requestedBitrate = (int) Math.min(Integer.MAX_VALUE, cfg.bitrate());
        es.requestedFpsNum = (int) Math.min(Integer.MAX_VALUE, cfg.framerateNum());
        es.requestedFpsDen = (int) Math.min(Integer.MAX_VALUE, cfg.framerateDen());
        es.requestedProfile = cfg.profile();
        es.requestedLevel = cfg.level();
        if (es.encoder == null) {
            return; // applied when the first frame opens the encoder; nothing is sent on success
        }
        EncoderConfig current = es.config;
        try {
            EncoderConfig wanted = defaults.configFor(current.width(), current.height(), current.inputFormat(), es,
                    current.threads());
            es.encoder.reconfigure(wanted);
            es.config = wanted;
        } catch (EncoderException | IllegalArgumentException e) {
            message.setLength(0);
            message.append("CONFIG_REQ not applied: ").append(e.getMessage());
            answerError(slot, cfg.sessionId(), ErrorCode.ENCODE_FAILED, message);
        }
    }

    private void answerPing(FrameSlot slot) {
        int sessionId = header.wrap(slot.request(), 0).sessionId();
        header.wrap(slot.answer(), 0).set(Hxfr.MSG_PONG, 0, sessionId, 0);
        slot.answerLength = header.length();
    }

    private void answerEnableScanout(FrameSlot slot) {
        EnableScanoutFlyweight req = enableScanout.wrap(slot.request(), 0);
        long id = req.scanoutId();
        // success: the VM has this console and QEMU was asked for the head (SetUIInfo); QEMU's own verdict is logged
        boolean ok = scanouts.enable(id, req.width(), req.height());
        scanoutResponse.wrap(slot.answer(), 0).header(0, req.sessionId()).scanoutId(id).success(ok)
                .connectorName(ok ? scanouts.connectorName(id) : "");
        slot.answerLength = scanoutResponse.length();
    }

    /** The kind also carries skipped types (answered by saying nothing): only a real DISABLE_SCANOUT acts. */
    private void disableScanout(FrameSlot slot) {
        if (header.wrap(slot.request(), 0).type() == Hxfr.MSG_DISABLE_SCANOUT) {
            scanouts.disable(subscribe.wrap(slot.request(), 0).scanoutId()); // same layout as SUBSCRIBE
        }
    }

    /** success=1 for a scanout that takes subscribers (the I/O agent attaches the subscriber as it writes this). */
    private void answerSubscribe(FrameSlot slot) {
        long scanout = subscribe.wrap(slot.request(), 0).scanoutId();
        boolean ok = scanouts.subscribable(scanout);
        subscribeResponse.wrap(slot.answer(), 0).header(0, (int) scanout).scanoutId(scanout).success(ok);
        slot.answerLength = subscribeResponse.length();
    }

    private void answerError(FrameSlot slot, int code, CharSequence text) {
        answerError(slot, header.wrap(slot.request(), 0).sessionId(), code, text);
    }

    private void answerError(FrameSlot slot, int sessionId, int code, CharSequence text) {
        error.wrap(slot.answer(), 0).set(sessionId, code, text);
        slot.answerLength = ErrorFlyweight.LENGTH;
        slot.answerBodyAddress = 0;
        slot.answerBodyLength = 0;
        slot.answerUsesEncoderMemory = false;
    }

    private boolean publish(int type, int sessionIndex, boolean mustSucceed) {
        scratch.putInt(0, sessionIndex);
        while (!answers.write(type, scratch, 0, RingMessages.LENGTH)) {
            if (!mustSucceed) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private void closeEncoder(EncodeSession es) {
        if (es.encoder != null) {
            es.encoder.close();
            es.encoder = null;
            budget.closed(es.session, es.config.threads());
        }
    }

    @Override
    public void onClose() {
        for (int i = 0; i < activeCount; i++) {
            closeEncoder(owned[active[i]]);
        }
        activeCount = 0;
    }
}

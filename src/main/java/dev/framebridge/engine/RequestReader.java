package dev.framebridge.engine;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.EnableScanoutFlyweight;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.Rejection;
import dev.framebridge.protocol.ScanoutIdFlyweight;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The I/O agent's read side: reads a connection's messages through the reading phases of its
 * {@link ConnectionState} (header, fixed body, payload, skip) straight into the connection's next frame slot,
 * validates with {@link HxfrDecoder} before trusting a field, and submits each complete request — or its ERROR,
 * written here — to the session's encode agent, in order. {@link #read} returns after each complete request, so the
 * I/O agent can send its answer before reading the next. Runs on the I/O agent's thread; allocates nothing unless a
 * message is rejected.
 *
 * <p>To add a message type: its fixed body length in {@link HxfrDecoder#fixedBodyLength}, its check in
 * {@link HxfrDecoder}, a case in {@link #onBody} (or {@link #onHeader} for a type without a body) that submits a
 * new {@link SlotKind} or expects a payload, and the answer in {@link EncodeAgent}.
 */
final class RequestReader {
    private static final int SKIP_BUFFER = 64 * 1024;

    /** What the reader asks of the I/O agent that owns the sockets. */
    interface Control {
        void close(IoConnection c, String reason, AtomicCounter cause);
    }

    private final HxfrDecoder decoder;
    private final EncodeDispatch dispatch;
    private final Control control;
    private final EngineCounters counters;
    private final EngineLog log;
    private final MemorySegment skipBuffer;
    private final boolean convertRgb;
    /** The I/O agent's clock as of this duty cycle (progress stamps). */
    private final NanoClock cycleClock;
    /** The clock itself, read when a request is complete (its latency starts at its last byte). */
    private final NanoClock clock;
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final FrameRequestFlyweight frameRequest = new FrameRequestFlyweight();
    private final ConfigRequestFlyweight configRequest = new ConfigRequestFlyweight();
    private final EnableScanoutFlyweight enableScanout = new EnableScanoutFlyweight();
    private final ScanoutIdFlyweight scanoutId = ScanoutIdFlyweight.subscribe();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final FrameMemoryGate memory = new FrameMemoryGate();
    private final ByReference byReference;
    /** Fds that arrive with a message (SCM_RIGHTS), on connections granted fd pools. */
    private final int[] receivedFds = new int[NativeSocket.MAX_PASSED_FDS];
    private final LogRateLimit rejectedLines;
    private boolean draining;

    /** @param convertRgb convert BGRA/RGBA frames to NV12 as they arrive (the backend takes converted frames) */
    RequestReader(HxfrDecoder decoder, EncodeDispatch dispatch, Control control, EngineCounters counters, EngineLog log,
                  MemorySegment skipBuffer, boolean convertRgb, NanoClock cycleClock, NanoClock clock,
                  ByReference byReference) {
        if (skipBuffer.byteSize() < SKIP_BUFFER) {
            throw new IllegalArgumentException("skip buffer must hold " + SKIP_BUFFER + " bytes");
        }
        this.decoder = decoder;
        this.dispatch = dispatch;
        this.control = control;
        this.counters = counters;
        this.log = log;
        this.skipBuffer = skipBuffer;
        this.convertRgb = convertRgb;
        this.cycleClock = cycleClock;
        this.clock = clock;
        this.byReference = byReference;
        this.rejectedLines = new LogRateLimit(log, "rejected messages");
    }

    /** Housekeeping: the rate-limited log lines say how many they held back. */
    void rollLogLimits(long now) {
        rejectedLines.roll(now);
    }

    static long skipBufferBytes() {
        return SKIP_BUFFER;
    }

    /** The server is shutting down: read no new request (the ones in flight are still answered). */
    void drain() {
        draining = true;
    }

    /**
     * Reads what the socket has now, until one request is complete (and submitted), the socket has nothing more,
     * reading must pause (the window is full) or the connection stops reading. A lingering connection's input is
     * discarded. Returns how many reads made progress.
     */
    int read(IoConnection c) {
        return read(c, Integer.MAX_VALUE);
    }

    /**
     * As {@link #read(IoConnection)}, but making at most {@code maxSteps} reads: the I/O agent's turn on one
     * connection is bounded, so a connection that always has bytes waiting cannot hold the others back.
     */
    int read(IoConnection c, int maxSteps) {
        ConnectionState s = c.state;
        long submitted = c.submitted;
        int work = 0;
        try {
            if (s.lingering()) {
                return discard(c);
            }
            while (work < maxSteps && s.reading() && c.submitted == submitted && readStep(c) > 0) {
                work++;
            }
        } catch (ErrnoException e) {
            control.close(c, "read failed: " + e.getMessage(), counters.closedFault);
        }
        return work;
    }

    /** One read and whatever it completes; returns 0 when the socket has nothing more now (or reading paused). */
    private int readStep(IoConnection c) throws ErrnoException {
        ConnectionState s = c.state;
        switch (s.phase()) {
            case ConnectionState.HEADER: {
                if (c.inFlight() >= c.session.window || draining) {
                    if (s.pauseReading()) {
                        counters.backpressure.increment();
                    }
                    return 0;
                }
                FrameSlot slot = c.session.slot(c.submitted);
                if (receive(c, slot.request(), s.position(), s.remaining()) <= 0) {
                    return 0;
                }
                if (s.remaining() == 0) {
                    onHeader(c, slot);
                }
                return 1;
            }
            case ConnectionState.BODY: {
                FrameSlot slot = c.session.slot(c.submitted);
                if (receive(c, slot.request(), s.position(), s.remaining()) <= 0) {
                    return 0;
                }
                if (s.remaining() == 0) {
                    onBody(c, slot);
                }
                return 1;
            }
            case ConnectionState.PAYLOAD: {
                FrameSlot slot = c.session.slot(c.submitted);
                long end = memory.receivable(slot, s.position(), s.position() + s.remaining());
                if (end < 0) {
                    refuseForMemory(c, slot);
                    s.abandonPayload();
                    return 1;
                }
                if (receive(c, slot.pixels(), s.position(), end - s.position()) <= 0) {
                    return 0;
                }
                if (s.remaining() > 0) {
                    if (c.converter.converting()) {
                        long start = clock.nanoTime();
                        c.converter.arrived(s.position());
                        slot.convertNanos += clock.nanoTime() - start;
                    }
                } else {
                    onPixels(c, slot);
                }
                return 1;
            }
            case ConnectionState.SKIP: {
                if (receive(c, skipBuffer, 0, Math.min(SKIP_BUFFER, s.remaining())) <= 0) {
                    return 0;
                }
                if (s.remaining() == 0) {
                    s.partDone();
                }
                return 1;
            }
            default:
                return 0;
        }
    }

    /** LINGER: read and drop whatever comes until the peer closes. */
    private int discard(IoConnection c) throws ErrnoException {
        int work = 0;
        while (true) {
            long n = c.socket.read(skipBuffer, 0, SKIP_BUFFER);
            if (n < 0) {
                control.close(c, c.closeReason, c.closeCause);
                return work + 1;
            }
            if (n == 0) {
                return work;
            }
            work++;
        }
    }

    /**
     * recv into {@code dst}; advances the state's position; handles end of stream. On a connection granted fd pools,
     * headers and fixed bodies are read with recvmsg, so an fd attached to a REGISTER_POOL is collected, not dropped.
     */
    private long receive(IoConnection c, MemorySegment dst, long offset, long len) throws ErrnoException {
        long n;
        int phase = c.state.phase();
        if (c.pools.receivesFds() && (phase == ConnectionState.HEADER || phase == ConnectionState.BODY)) {
            n = c.socket.readWithFds(dst, offset, len, receivedFds);
            if (c.socket.receivedFdCount() > 0) {
                byReference.onFds(c, receivedFds, c.socket.receivedFdCount());
            }
        } else {
            n = c.socket.read(dst, offset, len);
        }
        if (n > 0) {
            long now = cycleClock.nanoTime();
            if (c.state.betweenMessages()) {
                // A message begins: the minimum receive rate's first window starts with its first byte.
                c.receiveWindowStart = now;
                c.receiveWindowBytes = c.bytesIn;
                FrameSlot slot = c.session.slot(c.submitted);
                slot.firstByteNanos = clock.nanoTime();
                // Readable since epoll said so, but not before the previous request was read whole.
                slot.readableNanos = c.readableNanos - c.lastSubmitNanos > 0 ? c.readableNanos : c.lastSubmitNanos;
                slot.convertNanos = 0;
            }
            c.state.advance(n);
            c.bytesIn += n;
            c.lastProgressNanos = now;
            c.lastActivityNanos = now;
            counters.bytesIn.getAndAddRelease(n);
        } else if (n < 0) {
            peerFinishedSending(c);
        }
        return n;
    }

    /**
     * End of stream: the peer sent its last byte (it may only have half-closed and still be reading). Every request
     * read whole so far is answered, in order, before the connection closes; a message it stopped in the middle of
     * is dropped, as it never became a request (and its fd, if one came with it, is closed now).
     */
    private void peerFinishedSending(IoConnection c) {
        boolean partial = c.state.midMessage();
        if (partial) {
            c.state.dropPartialMessage();
            byReference.dropStrayFd(c);
        }
        if (c.inFlight() > 0) {
            answerThenClose(c, partial
                    ? "peer closed its sending side in the middle of a message (dropped, it was not whole);"
                            + " answered the requests in flight"
                    : "peer closed its sending side; answered the requests in flight",
                    partial ? counters.closedFault : counters.closedByPeer);
        } else if (partial) {
            control.close(c, "peer hung up in the middle of a message", counters.closedFault);
        } else {
            control.close(c, "peer closed", counters.closedByPeer);
        }
    }

    private void answerThenClose(IoConnection c, String reason, AtomicCounter cause) {
        c.state.answerThenClose();
        c.closeReason = reason;
        c.closeCause = cause;
    }

    private void onHeader(IoConnection c, FrameSlot slot) {
        header.wrap(slot.request(), 0);
        int verdict = decoder.checkHeader(header, c.pools.hello);
        int type = header.type();
        long payload = header.payloadSize();
        if (type != Hxfr.MSG_REGISTER_POOL || verdict != HxfrDecoder.ACCEPT) {
            byReference.dropStrayFd(c); // only a REGISTER_POOL may carry one
        }
        if (verdict == HxfrDecoder.SKIP) {
            counters.skipped.increment();
            log.debug("skipped " + Hxfr.typeName(type) + " (" + payload + " bytes) from " + c.peer);
            skip(c, payload);
            return;
        }
        if (verdict == HxfrDecoder.REJECT) {
            reject(c, slot, header.sessionId(), payload);
            return;
        }
        int body = HxfrDecoder.fixedBodyLength(type);
        if (body > 0) {
            c.state.expectBody(MessageFlyweight.HEADER_LENGTH + body);
            return;
        }
        // PING, KEYFRAME_REQ: no body; any payload is ignored.
        if (type == Hxfr.MSG_PING) {
            counters.pings.increment();
            submit(c, slot, SlotKind.PING);
        } else {
            counters.keyframeRequests.increment();
            submit(c, slot, SlotKind.KEYFRAME_REQ);
        }
        skip(c, payload);
    }

    private void onBody(IoConnection c, FrameSlot slot) {
        header.wrap(slot.request(), 0);
        int type = header.type();
        long payload = header.payloadSize();
        long extra = payload - HxfrDecoder.fixedBodyLength(type);
        switch (type) {
            case Hxfr.MSG_FRAME_REQUEST -> {
                FrameRequestFlyweight f = frameRequest.wrap(slot.request(), 0);
                if (decoder.checkFrameRequest(f) != HxfrDecoder.ACCEPT) {
                    counters.framesIn.increment();
                    c.frames++;
                    reject(c, slot, f.sessionId(), f.hasPixelData() ? f.pixelBytes() : 0);
                    return;
                }
                // Receive exactly the bytes the encoder reads; any tail the client padded with is skipped.
                PixelFormat format = PixelFormat.ofFourcc(f.format());
                long needed = format.frameBytes(f.stride(), f.height());
                if (!memory.admit(slot, f, format, needed, convertRgb)) {
                    refuseForMemory(c, slot);
                    skip(c, f.pixelBytes());
                    return;
                }
                c.converter.start(slot, convertRgb ? format : null, (int) f.width(), (int) f.height(), (int) f.stride());
                c.state.expectPayload(needed, f.pixelBytes() - needed);
                return;
            }
            case Hxfr.MSG_CONFIG_REQ -> {
                counters.configRequests.increment();
                if (decoder.checkConfigRequest(configRequest.wrap(slot.request(), 0)) != HxfrDecoder.ACCEPT) {
                    reject(c, slot, header.sessionId(), extra);
                    return;
                }
                submit(c, slot, SlotKind.CONFIG_REQ);
            }
            case Hxfr.MSG_ENABLE_SCANOUT -> {
                if (decoder.checkScanoutId(type, enableScanout.wrap(slot.request(), 0).scanoutId()) != HxfrDecoder.ACCEPT) {
                    reject(c, slot, header.sessionId(), extra);
                    return;
                }
                submit(c, slot, SlotKind.ENABLE_SCANOUT);
            }
            case Hxfr.MSG_SUBSCRIBE -> {
                if (decoder.checkScanoutId(type, scanoutId.wrap(slot.request(), 0).scanoutId()) != HxfrDecoder.ACCEPT) {
                    reject(c, slot, header.sessionId(), extra);
                    return;
                }
                submit(c, slot, SlotKind.SUBSCRIBE);
            }
            case Hxfr.MSG_HELLO, Hxfr.MSG_REGISTER_POOL, Hxfr.MSG_UNREGISTER_POOL, Hxfr.MSG_FRAME_REF -> {
                onExtension(c, slot, type, extra);
                return;
            }
            default -> submit(c, slot, SlotKind.DISABLE_SCANOUT);
        }
        skip(c, extra);
    }

    /** HELLO, pools and frames by reference (after HELLO; see {@link ByReference}). */
    private void onExtension(IoConnection c, FrameSlot slot, int type, long extra) {
        int verdict;
        switch (type) {
            case Hxfr.MSG_HELLO -> verdict = byReference.hello(c, slot);
            case Hxfr.MSG_REGISTER_POOL -> verdict = byReference.registerPool(c, slot);
            case Hxfr.MSG_UNREGISTER_POOL -> verdict = byReference.unregisterPool(c, slot, c.submitted);
            default -> {
                counters.framesIn.increment();
                c.frames++;
                verdict = byReference.frameRef(c, slot);
            }
        }
        if (verdict == ByReference.REFUSED) {
            reject(c, slot, header.sessionId(), extra, byReference.rejection());
            return;
        }
        submit(c, slot, verdict == ByReference.FRAME ? SlotKind.FRAME_REF : SlotKind.ANSWERED);
        skip(c, extra);
    }

    /** PAYLOAD complete: the frame's pixels are in the slot. */
    private void onPixels(IoConnection c, FrameSlot slot) {
        long start = clock.nanoTime();
        if (c.converter.finish(slot)) {
            slot.convertNanos += clock.nanoTime() - start;
            counters.framesConverted.increment();
        }
        counters.framesIn.increment();
        counters.framesInBand.increment();
        counters.bytesInBand.getAndAddRelease(c.state.position());
        c.frames++;
        submit(c, slot, SlotKind.FRAME);
        c.state.partDone();
    }

    /** Answers the current request with ERROR (in order, through the encode agent) and skips or closes. */
    private void reject(IoConnection c, FrameSlot slot, int sessionId, long bytesToSkip) {
        reject(c, slot, sessionId, bytesToSkip, decoder.rejection());
    }

    private void reject(IoConnection c, FrameSlot slot, int sessionId, long bytesToSkip, Rejection r) {
        slot.resetAnswer();
        error.wrap(slot.answer(), 0).set(sessionId, r.errorCode(), r.message());
        slot.answerLength = ErrorFlyweight.LENGTH;
        if (rejectedLines.admit(cycleClock.nanoTime())) {
            log.info("rejected a message from " + c.peer + ": " + r);
        }
        counters.recordDistinct(r.message());
        submit(c, slot, SlotKind.ANSWERED);
        if (r.closeConnection()) {
            answerThenClose(c, ErrorCode.name(r.errorCode()) + ": " + r.message(), counters.closedFault);
        } else {
            skip(c, bytesToSkip);
        }
    }

    /** A frame the memory limits refused (its ERROR is in the slot): answer it in order; the caller skips its pixels. */
    private void refuseForMemory(IoConnection c, FrameSlot slot) {
        counters.framesIn.increment();
        counters.refusedForMemory.increment();
        c.frames++;
        if (rejectedLines.admit(cycleClock.nanoTime())) {
            log.info("refused a frame from " + c.peer + ": " + memory.message());
        }
        counters.recordDistinct(memory.limitReached());
        submit(c, slot, SlotKind.ANSWERED);
    }

    private static void skip(IoConnection c, long bytes) {
        c.state.skip(bytes);
    }

    private void submit(IoConnection c, FrameSlot slot, int kind) {
        slot.kind = kind;
        slot.receivedNanos = clock.nanoTime(); // the last byte was just read (the cycle's clock may be a whole frame older)
        c.lastSubmitNanos = slot.receivedNanos;
        c.submitted++;
        counters.inFlight.getAndAddRelease(1);
        dispatch.request(c.session);
    }
}

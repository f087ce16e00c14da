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

/**
 * The I/O agent's read side: a state machine per connection (header, fixed body, pixels, skip) that reads straight
 * into the connection's next frame slot, validates with {@link HxfrDecoder} before trusting a field, and submits
 * each complete request — or its ERROR, written here — to the session's encode agent, in order.
 * Runs on the I/O agent's thread; allocates nothing unless a message is rejected.
 */
final class RequestReader {
    private static final int SKIP_BUFFER = 64 * 1024;

    /** What the reader asks of the I/O agent that owns the sockets. */
    interface Control {
        void close(IoConnection c, String reason, org.agrona.concurrent.status.AtomicCounter cause);

        void pauseReading(IoConnection c);
    }

    private final HxfrDecoder decoder;
    private final EncodeDispatch dispatch;
    private final Control control;
    private final EngineCounters counters;
    private final EngineLog log;
    private final MemorySegment skipBuffer;
    private final boolean convertRgb;
    private boolean answerFirst;
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
    private long now;
    private boolean draining;

    /** @param convertRgb convert BGRA/RGBA frames to NV12 as they arrive (the backend takes converted frames) */
    RequestReader(HxfrDecoder decoder, EncodeDispatch dispatch, Control control, EngineCounters counters, EngineLog log,
                  MemorySegment skipBuffer, boolean convertRgb, ByReference byReference) {
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
        this.byReference = byReference;
    }

    /** The encoder runs on the I/O thread: stop reading after each complete request so its answer goes out first. */
    void answerFirst(boolean on) {
        this.answerFirst = on;
    }

    static long skipBufferBytes() {
        return SKIP_BUFFER;
    }


    /** Reads and handles what the socket has now, until it has nothing more or reading must pause. */
    int read(IoConnection c, long now, boolean draining) {
        this.now = now;
        this.draining = draining;
        int work = 0;
        try {
            long submitted = c.submitted;
            while (c.state == IoConnection.OPEN) {
                int progress = readStep(c);
                if (progress <= 0) {
                    break;
                }
                work++;
                if (answerFirst && c.submitted != submitted) {
                    break; // the encoder runs on this thread: answer this request before reading the next
                }
            }
        } catch (ErrnoException e) {
            control.close(c, "read failed: " + e.getMessage(), counters.closedFault);
        }
        return work;
    }

    /** One read and whatever it completes; returns 0 when the socket has nothing more now (or reading paused). */
    private int readStep(IoConnection c) throws ErrnoException {
        switch (c.readPhase) {
            case IoConnection.READ_HEADER: {
                if (c.inFlight() >= c.session.window || draining) {
                    control.pauseReading(c);
                    return 0;
                }
                FrameSlot slot = c.session.slot(c.submitted);
                long n = receive(c, slot.request(), c.readPosition, MessageFlyweight.HEADER_LENGTH - c.readPosition);
                if (n <= 0) {
                    return 0;
                }
                if (c.readPosition < MessageFlyweight.HEADER_LENGTH) {
                    return 1;
                }
                onHeader(c, slot);
                return 1;
            }
            case IoConnection.READ_BODY: {
                FrameSlot slot = c.session.slot(c.submitted);
                long n = receive(c, slot.request(), c.readPosition, c.readTarget - c.readPosition);
                if (n <= 0) {
                    return 0;
                }
                if (c.readPosition == c.readTarget) {
                    onBody(c, slot);
                }
                return 1;
            }
            case IoConnection.READ_PIXELS: {
                FrameSlot slot = c.session.slot(c.submitted);
                long end = memory.receivable(slot, c.readPosition, c.readTarget);
                if (end < 0) {
                    refuseForMemory(c, slot, c.readTarget - c.readPosition + c.skipRemaining);
                    return 1;
                }
                long n = receive(c, slot.pixels(), c.readPosition, end - c.readPosition);
                if (n <= 0) {
                    return 0;
                }
                if (c.readPosition < c.readTarget) {
                    c.converter.arrived(c.readPosition);
                } else {
                    if (c.converter.finish(slot)) {
                        counters.framesConverted.increment();
                    }
                    counters.framesIn.increment();
                    counters.framesInBand.increment();
                    counters.bytesInBand.getAndAddRelease(c.readTarget);
                    c.frames++;
                    submit(c, slot, SlotKind.FRAME);
                    nextMessage(c);
                }
                return 1;
            }
            case IoConnection.READ_DISCARD: {
                long n = c.socket.read(skipBuffer, 0, SKIP_BUFFER);
                if (n < 0) {
                    control.close(c, c.closeReason, counters.closedFault);
                }
                return n > 0 ? 1 : 0;
            }
            case IoConnection.READ_SKIP: {
                long n = receive(c, skipBuffer, 0, Math.min(SKIP_BUFFER, c.skipRemaining));
                if (n <= 0) {
                    return 0;
                }
                c.readPosition = 0;
                c.skipRemaining -= n;
                if (c.skipRemaining == 0) {
                    nextMessage(c);
                }
                return 1;
            }
            default:
                return 0;
        }
    }

    /**
     * recv into {@code dst}; advances the read position; handles end of stream. On a connection granted fd pools,
     * headers and fixed bodies are read with recvmsg, so an fd attached to a REGISTER_POOL is collected, not dropped.
     */
    private long receive(IoConnection c, MemorySegment dst, long offset, long len) throws ErrnoException {
        long n;
        if (c.pools.receivesFds() && (c.readPhase == IoConnection.READ_HEADER || c.readPhase == IoConnection.READ_BODY)) {
            n = c.socket.readWithFds(dst, offset, len, receivedFds);
            if (c.socket.receivedFdCount() > 0) {
                byReference.onFds(c, receivedFds, c.socket.receivedFdCount());
            }
        } else {
            n = c.socket.read(dst, offset, len);
        }
        if (n > 0) {
            c.readPosition += n;
            c.bytesIn += n;
            c.lastProgressNanos = now;
            counters.bytesIn.getAndAddRelease(n);
        } else if (n < 0) {
            String reason;
            if (c.midMessage()) {
                reason = "peer hung up in the middle of a message";
                control.close(c, reason, counters.closedFault);
            } else if (c.inFlight() > 0) {
                // The peer finished sending (maybe only half-closed): answer what it asked for, then close.
                c.readPhase = IoConnection.READ_NONE;
                c.closeReason = "peer closed its sending side; answered the requests in flight";
                control.pauseReading(c);
            } else {
                control.close(c, "peer closed", counters.closedByPeer);
            }
        }
        return n;
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
            c.readPhase = IoConnection.READ_BODY;
            c.readTarget = MessageFlyweight.HEADER_LENGTH + body;
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
                    refuseForMemory(c, slot, f.pixelBytes());
                    return;
                }
                c.converter.start(slot, convertRgb ? format : null, (int) f.width(), (int) f.height(), (int) f.stride());
                c.readPhase = IoConnection.READ_PIXELS;
                c.readPosition = 0;
                c.readTarget = needed;
                c.skipRemaining = f.pixelBytes() - needed;
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

    /** Answers the current request with ERROR (in order, through the encode agent) and skips or closes. */
    private void reject(IoConnection c, FrameSlot slot, int sessionId, long bytesToSkip) {
        reject(c, slot, sessionId, bytesToSkip, decoder.rejection());
    }

    private void reject(IoConnection c, FrameSlot slot, int sessionId, long bytesToSkip, Rejection r) {
        slot.resetAnswer();
        error.wrap(slot.answer(), 0).set(sessionId, r.errorCode(), r.message());
        slot.answerLength = ErrorFlyweight.LENGTH;
        log.info("rejected a message from " + c.peer + ": " + r);
        counters.recordDistinct(r.message());
        submit(c, slot, SlotKind.ANSWERED);
        if (r.closeConnection()) {
            c.readPhase = IoConnection.READ_NONE;
            c.closeReason = ErrorCode.name(r.errorCode()) + ": " + r.message();
            control.pauseReading(c);
        } else {
            skip(c, bytesToSkip);
        }
    }

    /** A frame the memory limits refused (its ERROR is in the slot): answer it in order, skip its pixels, go on. */
    private void refuseForMemory(IoConnection c, FrameSlot slot, long bytesToSkip) {
        counters.framesIn.increment();
        counters.refusedForMemory.increment();
        c.frames++;
        log.info("refused a frame from " + c.peer + ": " + memory.message());
        counters.recordDistinct(memory.limitReached());
        submit(c, slot, SlotKind.ANSWERED);
        skip(c, bytesToSkip);
    }

    private void skip(IoConnection c, long bytes) {
        if (bytes > 0) {
            c.readPhase = IoConnection.READ_SKIP;
            c.readPosition = 0;
            c.skipRemaining = bytes;
        } else {
            nextMessage(c);
        }
    }

    private void nextMessage(IoConnection c) {
        if (c.readPhase == IoConnection.READ_PIXELS && c.skipRemaining > 0) {
            c.readPhase = IoConnection.READ_SKIP;
            c.readPosition = 0;
            return;
        }
        c.readPhase = IoConnection.READ_HEADER;
        c.readPosition = 0;
        c.readTarget = 0;
        c.skipRemaining = 0;
    }

    private void submit(IoConnection c, FrameSlot slot, int kind) {
        slot.kind = kind;
        slot.receivedNanos = System.nanoTime(); // the last byte was just read (the cycle's clock may be a whole frame older)
        c.submitted++;
        counters.inFlight.getAndAddRelease(1);
        dispatch.request(c.session);
    }
}

package dev.framebridge.client;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.HelloFlyweight;
import dev.framebridge.protocol.HelloResponseFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrLayouts;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.protocol.PoolResponseFlyweight;
import dev.framebridge.protocol.RegisterPoolFlyweight;
import dev.framebridge.protocol.UnregisterPoolFlyweight;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The guest side of HXFR, as vsockenc does it: frame requests with pixel data, one message read per answer.
 * Blocking with a timeout on every wait, so a silent host is an exception naming the step, never a hang.
 * Used by tests, {@code probe} and {@code demo}, and by streamers that embed framebridge.
 *
 * <p>Frames by reference (docs/PROTOCOL-EXTENSIONS.md): {@link #hello} opts in, {@link #registerPool(MemfdPool)}
 * passes a sealed memfd over a Unix socket (or {@link #registerRegion} names a host region on any transport), and
 * {@link #sendFrameRef} sends a frame as a place in that pool instead of its pixels.
 */
public final class HxfrClient implements AutoCloseable {
    private final NativeSocket socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment out = arena.allocate(128);
    private final MemorySegment in = arena.allocate(ErrorFlyweight.LENGTH);
    /** One NAL entry's u32 size; a field because a shared arena frees nothing until it closes. */
    private final MemorySegment sizeBuf = arena.allocate(4);
    private final FrameRequestFlyweight request = new FrameRequestFlyweight();
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final FrameResponseFlyweight response = new FrameResponseFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final HelloFlyweight hello = new HelloFlyweight();
    private final HelloResponseFlyweight helloResponse = new HelloResponseFlyweight();
    private final RegisterPoolFlyweight registerPool = new RegisterPoolFlyweight();
    private final PoolResponseFlyweight poolResponse = new PoolResponseFlyweight();
    private final UnregisterPoolFlyweight unregisterPool = new UnregisterPoolFlyweight();
    private final FrameRefFlyweight frameRef = new FrameRefFlyweight();
    private final int[] fdToSend = new int[1];
    private final Duration timeout;
    /** How long a broken send waits for the host's parting ERROR (already sent when it closed, if at all). */
    private static final int FAREWELL_WAIT_MS = 200;
    private Arena answerArena = Arena.ofShared();
    private MemorySegment answerBuffer = answerArena.allocate(1 << 20);
    private int sessionId = 1;

    private HxfrClient(NativeSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    public static HxfrClient connect(Endpoint endpoint, Duration timeout) throws IOException {
        return new HxfrClient(NativeSocket.connect(endpoint, timeout), timeout);
    }

    /**
     * Wraps an already connected socket: one end of {@link NativeSocket#pair()}, or a guest's virtio-serial port
     * opened with {@link NativeSocket#openStreamDevice} (HELLO, region pools and FRAME_REF work there; fd pools do not).
     */
    public static HxfrClient over(NativeSocket socket, Duration timeout) {
        return new HxfrClient(socket, timeout);
    }

    public HxfrClient sessionId(int id) {
        this.sessionId = id;
        return this;
    }

    public NativeSocket socket() {
        return socket;
    }

    /** Sends a FRAME_REQUEST with pixel data: the header, then {@code pixelBytes} bytes of {@code pixels}. */
    public void sendFrame(MemorySegment pixels, long pixelBytes, int width, int height, PixelFormat format, int stride,
                          long pts, boolean forceKeyframe) throws IOException {
        request.wrap(out, 0).header(Hxfr.FLAG_PIXEL_DATA, sessionId, FrameRequestFlyweight.BODY_LENGTH + pixelBytes)
                .resourceId(0).width(width).height(height).format(format.fourcc()).stride(stride).pts(pts)
                .duration(0).forceKeyframe(forceKeyframe);
        writeFully(out, FrameRequestFlyweight.LENGTH);
        writeFully(pixels, pixelBytes);
    }

    /**
     * Sends a FRAME_REQUEST that names the frame by its virtio-gpu resource id instead of carrying pixels (no
     * PIXEL_DATA flag, no payload past the 44-byte body): what vsockenc sends for DMA-BUF-backed frames. The id
     * comes from {@link VirtioGpuDevice#resourceId}.
     */
    public void sendResourceFrame(int resourceId, int width, int height, PixelFormat format, int stride, long pts,
                                  boolean forceKeyframe) throws IOException {
        request.wrap(out, 0).header(0, sessionId, FrameRequestFlyweight.BODY_LENGTH)
                .resourceId(resourceId).width(width).height(height).format(format.fourcc()).stride(stride).pts(pts)
                .duration(0).forceKeyframe(forceKeyframe);
        writeFully(out, FrameRequestFlyweight.LENGTH);
    }

    /** Sends raw bytes as they are (for fault tests and relays). */
    public void sendRaw(MemorySegment bytes, long length) throws IOException {
        writeFully(bytes, length);
    }

    /** Sends a message that has only a header (PING, KEYFRAME_REQ). */
    public void sendHeaderOnly(int type) throws IOException {
        header.wrap(out, 0).set(type, 0, sessionId, 0);
        writeFully(out, MessageFlyweight.HEADER_LENGTH);
    }

    // ---- extensions: HELLO, pools, frames by reference ----------------------------------------------

    /** Sends HELLO asking for {@code capabilities} ({@link Hxfr#CAP_POOL_FD} …); read the answer with {@link #readAnswer}. */
    public void sendHello(int version, int capabilities) throws IOException {
        hello.wrap(out, 0).header(0, sessionId).version(version).capabilities(capabilities);
        writeFully(out, HelloFlyweight.LENGTH);
    }

    /**
     * HELLO and its answer: what the host grants on this connection and its limits.
     *
     * @throws HostErrorException when the host answers ERROR (a version it does not speak)
     */
    public Hello hello(int capabilities) throws IOException {
        sendHello(Hxfr.EXT_VERSION, capabilities);
        expect(Hxfr.MSG_HELLO_RESP, "HELLO");
        HelloResponseFlyweight r = helloResponse.wrap(in, 0);
        int[] formats = new int[r.formatCount()];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = r.format(i);
        }
        return new Hello((int) r.version(), r.capabilities(), r.maxPayload(), (int) r.maxInFlight(),
                (int) r.maxDimension(), (int) r.maxPools(), formats, r.encoder());
    }

    /**
     * Sends REGISTER_POOL with {@code fd} attached (SCM_RIGHTS; Unix sockets only). Any fd may be sent — the host
     * decides whether it can be a pool; {@link #registerPool(MemfdPool)} is the usual way.
     *
     * @param size bytes the client will address; 0 for all of it
     */
    public void sendRegisterPool(int fd, long size) throws IOException {
        registerPool.wrap(out, 0).header(0, sessionId).source(Hxfr.POOL_SOURCE_FD).size(size).region("");
        fdToSend[0] = fd;
        long sent = 0;
        while (sent == 0) {
            sent = socket.sendWithFds(out, 0, RegisterPoolFlyweight.LENGTH, fdToSend, 1);
            if (sent == 0 && !socket.awaitWritable(timeout.toMillis())) {
                throw new SocketTimeoutException("host did not take REGISTER_POOL for " + timeout.toMillis() + " ms");
            }
        }
        writeFully(out, sent, RegisterPoolFlyweight.LENGTH - sent);
    }

    /** Sends REGISTER_POOL naming a host region ({@code serve --region NAME=PATH}); any transport. */
    public void sendRegisterRegion(String name, long size) throws IOException {
        registerPool.wrap(out, 0).header(0, sessionId).source(Hxfr.POOL_SOURCE_REGION).size(size).region(name);
        writeFully(out, RegisterPoolFlyweight.LENGTH);
    }

    /**
     * Registers a memfd pool (all of it) and returns its pool id.
     *
     * @throws HostErrorException when the host refuses it (the message says why)
     */
    public int registerPool(MemfdPool pool) throws IOException {
        sendRegisterPool(pool.fd(), 0);
        expect(Hxfr.MSG_POOL_RESP, "REGISTER_POOL");
        return poolResponse.wrap(in, 0).poolId();
    }

    /** Registers a host region by name ({@code size} 0: all of it) and returns its pool id. */
    public int registerRegion(String name, long size) throws IOException {
        sendRegisterRegion(name, size);
        expect(Hxfr.MSG_POOL_RESP, "REGISTER_POOL");
        return poolResponse.wrap(in, 0).poolId();
    }

    public void sendUnregisterPool(int poolId) throws IOException {
        unregisterPool.wrap(out, 0).header(0, sessionId).poolId(poolId);
        writeFully(out, UnregisterPoolFlyweight.LENGTH);
    }

    /** Unregisters a pool; when this returns the host holds no mapping of it. */
    public void unregisterPool(int poolId) throws IOException {
        sendUnregisterPool(poolId);
        expect(Hxfr.MSG_POOL_RESP, "UNREGISTER_POOL");
    }

    /**
     * Sends FRAME_REF: a frame at {@code offset} in pool {@code poolId}, plane {@code p} at {@code offset +
     * planeOffsets[p]} with rows {@code strides[p]} bytes apart (as many planes as the format has). The frame's bytes
     * are the host's until the answer (FRAME_RESPONSE or ERROR) is read. Allocation-free.
     */
    public void sendFrameRef(int poolId, long offset, PixelFormat format, int width, int height, long[] planeOffsets,
                             int[] strides, long pts, boolean forceKeyframe) throws IOException {
        FrameRefFlyweight f = frameRef.wrap(out, 0).header(0, sessionId).poolId(poolId).format(format.fourcc())
                .width(width).height(height).refFlags(forceKeyframe ? Hxfr.REF_FLAG_KEYFRAME : 0).frameOffset(offset)
                .clearPlanes().pts(pts).duration(0);
        for (int p = 0; p < format.planes(); p++) {
            f.plane(p, planeOffsets[p], strides[p]);
        }
        writeFully(out, FrameRefFlyweight.LENGTH);
    }

    // ---- push mode: scanouts and subscriptions ------------------------------------------------------

    /**
     * SUBSCRIBE to scanout {@code scanoutId} and its SUBSCRIBE_RESP. After success the host pushes a FRAME_RESPONSE
     * for every new frame of that scanout; read them with {@link #readAnswer}.
     *
     * @return whether the host took the subscription (when not, its log says why)
     */
    public boolean subscribe(int scanoutId) throws IOException {
        dev.framebridge.protocol.ScanoutIdFlyweight.subscribe().wrap(out, 0).header(0, sessionId).scanoutId(scanoutId);
        writeFully(out, dev.framebridge.protocol.ScanoutIdFlyweight.LENGTH);
        expect(Hxfr.MSG_SUBSCRIBE_RESP, "SUBSCRIBE");
        return new dev.framebridge.protocol.SubscribeResponseFlyweight().wrap(in, 0).success();
    }

    /**
     * ENABLE_SCANOUT (a head of this size for the VM) and its SCANOUT_RESP.
     *
     * @return the connector name the guest sees, or null when the host refused
     */
    public String enableScanout(int scanoutId, int width, int height, int refreshHz) throws IOException {
        new dev.framebridge.protocol.EnableScanoutFlyweight().wrap(out, 0).header(0, sessionId).scanoutId(scanoutId)
                .width(width).height(height).refreshRate(refreshHz);
        writeFully(out, dev.framebridge.protocol.EnableScanoutFlyweight.LENGTH);
        expect(Hxfr.MSG_SCANOUT_RESP, "ENABLE_SCANOUT");
        var r = new dev.framebridge.protocol.ScanoutResponseFlyweight().wrap(in, 0);
        return r.success() ? r.connectorName() : null;
    }

    /** DISABLE_SCANOUT (no answer). */
    public void disableScanout(int scanoutId) throws IOException {
        dev.framebridge.protocol.ScanoutIdFlyweight.disableScanout().wrap(out, 0).header(0, sessionId).scanoutId(scanoutId);
        writeFully(out, dev.framebridge.protocol.ScanoutIdFlyweight.LENGTH);
    }

    /** CONFIG_REQ asking for {@code bitrate} bits/s (other fields: host defaults); answered only on failure. */
    public void sendBitrate(int bitrate) throws IOException {
        out.asSlice(0, dev.framebridge.protocol.ConfigRequestFlyweight.LENGTH).fill((byte) 0);
        new dev.framebridge.protocol.ConfigRequestFlyweight().wrap(out, 0).header(0, sessionId).bitrate(bitrate);
        writeFully(out, dev.framebridge.protocol.ConfigRequestFlyweight.LENGTH);
    }

    /** The answer to a request that expects {@code type}; ERROR becomes a {@link HostErrorException}. */
    private Answer expect(int type, String request) throws IOException {
        Answer a = readAnswer();
        if (a.isError()) {
            throw new HostErrorException(request, a.errorCode(), a.errorMessage());
        }
        if (a.type() != type) {
            throw new NotHxfrException(request + " was answered with " + Hxfr.typeName(a.type()) + ", not "
                    + Hxfr.typeName(type) + ": the client and host are out of step");
        }
        return a;
    }

    /** Reads one message. Its header and fixed part are in {@link #header()}; a frame's access unit in {@link Answer}. */
    public Answer readAnswer() throws IOException {
        readFully(in, 0, MessageFlyweight.HEADER_LENGTH, "answer header");
        header.wrap(in, 0);
        int type = header.type();
        long payload = header.payloadSize();
        if (header.magic() != Hxfr.MAGIC) {
            throw new NotHxfrException(String.format("answer has bad magic 0x%08x: the peer is not an HXFR host",
                    header.magic()));
        }
        if (type == Hxfr.MSG_FRAME_RESPONSE) {
            readFully(in, MessageFlyweight.HEADER_LENGTH, FrameResponseFlyweight.BODY_LENGTH, "frame response");
            response.wrap(in, 0);
            long nals = response.nalCount();
            long remaining = payload - FrameResponseFlyweight.BODY_LENGTH;
            ensureAnswerCapacity(remaining);
            long auBytes = 0;
            for (long i = 0; i < nals; i++) {
                readFully(sizeBuf, 0, 4, "NAL entry size");
                long size = sizeBuf.get(HxfrLayouts.U32, 0) & 0xFFFF_FFFFL;
                if (auBytes + size > answerBuffer.byteSize()) {
                    throw new IOException("NAL entry of " + size + " bytes exceeds the answer's payload_size " + payload);
                }
                readFully(answerBuffer, auBytes, size, "NAL entry");
                auBytes += size;
            }
            return new Answer(type, header.sessionId(), response.pts(), response.dts(), response.isKeyframe(),
                    answerBuffer.asSlice(0, auBytes), 0, null);
        }
        if (type == Hxfr.MSG_ERROR) {
            readFully(in, MessageFlyweight.HEADER_LENGTH, ErrorFlyweight.LENGTH - MessageFlyweight.HEADER_LENGTH, "error");
            error.wrap(in, 0);
            return new Answer(type, header.sessionId(), 0, 0, false, MemorySegment.NULL, error.errorCode(), error.message());
        }
        // Other answers: keep the fixed part (up to the buffer) and skip the rest.
        long keep = Math.min(payload, in.byteSize() - MessageFlyweight.HEADER_LENGTH);
        readFully(in, MessageFlyweight.HEADER_LENGTH, keep, Hxfr.typeName(type));
        for (long left = payload - keep; left > 0; ) {
            long n = Math.min(left, answerBuffer.byteSize());
            readFully(answerBuffer, 0, n, Hxfr.typeName(type));
            left -= n;
        }
        return new Answer(type, header.sessionId(), 0, 0, false, MemorySegment.NULL, 0, null);
    }

    /** The last answer's header and fixed part (valid until the next read). */
    public MemorySegment lastAnswerBytes() {
        return in;
    }

    private void ensureAnswerCapacity(long bytes) {
        if (answerBuffer.byteSize() < bytes) {
            answerArena.close();
            answerArena = Arena.ofShared();
            answerBuffer = answerArena.allocate(Math.max(bytes, answerBuffer.byteSize() * 2));
        }
    }

    private void writeFully(MemorySegment src, long length) throws IOException {
        writeFully(src, 0, length);
    }

    private void writeFully(MemorySegment src, long offset, long length) throws IOException {
        try {
            writeAll(src, offset, length);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.EPIPE || e.errno() == LibC.ECONNRESET) {
                throw farewell(e);
            }
            throw e;
        }
    }

    /**
     * The host hung up while we were sending. A host that refuses a connection (allow-list, server full) writes an
     * ERROR first; when that ERROR is waiting in the socket, it is the better explanation than a broken pipe.
     */
    private IOException farewell(ErrnoException sendFailure) {
        try {
            if (!socket.awaitReadable(FAREWELL_WAIT_MS)) {
                return sendFailure;
            }
            Answer a = readAnswer();
            return a.isError() ? new HostRefusedException(a.errorCode(), a.errorMessage(), sendFailure) : sendFailure;
        } catch (IOException | RuntimeException nothingLeft) {
            return sendFailure;
        }
    }

    private void writeAll(MemorySegment src, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = socket.write(src, offset + done, length - done);
            if (n == 0 && !socket.awaitWritable(timeout.toMillis())) {
                throw new SocketTimeoutException("host did not take our bytes for " + timeout.toMillis()
                        + " ms (" + done + " of " + length + " sent): it is not reading");
            }
            done += n;
        }
    }

    private void readFully(MemorySegment dst, long offset, long length, String what) throws IOException {
        long done = 0;
        while (done < length) {
            long n = socket.read(dst, offset + done, length - done);
            if (n < 0) {
                throw new PeerClosedException("host closed the connection while we waited for the " + what
                        + " (" + done + " of " + length + " bytes)");
            }
            if (n == 0 && !socket.awaitReadable(timeout.toMillis())) {
                throw new SocketTimeoutException("no " + what + " from the host within " + timeout.toMillis() + " ms");
            }
            done += n;
        }
    }

    @Override
    public void close() {
        socket.close();
        answerArena.close();
        arena.close();
    }

    /**
     * The host's HELLO_RESP.
     *
     * @param capabilities what this connection may use ({@link Hxfr#CAP_POOL_FD} …)
     * @param formats      fourccs FRAME_REF accepts
     * @param encoder      the encoder the host chose
     */
    public record Hello(int version, int capabilities, long maxPayload, int maxInFlight, int maxDimension, int maxPools,
                        int[] formats, String encoder) {
        public boolean grants(int capability) {
            return (capabilities & capability) == capability;
        }
    }

    /**
     * One answer. For FRAME_RESPONSE, {@code accessUnit} is the whole Annex-B access unit (valid until the next
     * read); for ERROR, {@code errorCode} and {@code errorMessage}.
     */
    public record Answer(int type, int sessionId, long pts, long dts, boolean keyframe, MemorySegment accessUnit,
                         int errorCode, String errorMessage) {
        public boolean isFrame() {
            return type == Hxfr.MSG_FRAME_RESPONSE;
        }

        public boolean isError() {
            return type == Hxfr.MSG_ERROR;
        }

        @Override
        public String toString() {
            return Hxfr.typeName(type) + (isError() ? " " + errorCode + " " + errorMessage
                    : isFrame() ? " pts=" + pts + " key=" + keyframe + " bytes=" + accessUnit.byteSize() : "");
        }
    }
}

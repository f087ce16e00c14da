package dev.framebridge.jmh;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.MemfdPool;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrLayouts;
import dev.framebridge.protocol.MessageFlyweight;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A vsockenc-style HXFR client that allocates nothing per frame (so the gc profiler sees the engine's allocation,
 * not the client's): FRAME_REQUEST with pixel data, answers read into reused native buffers. Blocking with a
 * timeout on every wait (poll), like a guest's encoder element.
 */
final class StreamClient implements AutoCloseable {
    private static final long TIMEOUT_MS = 10_000;
    private static final long MAX_ACCESS_UNIT = 32L << 20;

    private final NativeSocket socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment request = arena.allocate(FrameRequestFlyweight.LENGTH, 8);
    private final MemorySegment answer = arena.allocate(ErrorFlyweight.LENGTH + 8, 8);
    private final MemorySegment accessUnit = arena.allocate(MAX_ACCESS_UNIT, 4096);
    private final FrameRequestFlyweight frameRequest = new FrameRequestFlyweight();
    private final FrameResponseFlyweight frameResponse = new FrameResponseFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final boolean spin;
    /** HELLO, REGISTER_POOL and FRAME_REF go through the project's client on the same socket (allocation-free sends). */
    private HxfrClient extensions;
    private final long[] planeOffsets = new long[2];
    private final int[] strides = new int[2];
    private long lastPts;
    private boolean lastKeyframe;

    StreamClient(Endpoint endpoint) throws IOException {
        this(endpoint, false);
    }

    /**
     * @param spin wait for answers by retrying the non-blocking read instead of sleeping in poll: the server's write
     *             then has no sleeping thread (and, on a VM, no halted vCPU) to wake
     */
    StreamClient(Endpoint endpoint, boolean spin) throws IOException {
        this.socket = NativeSocket.connect(endpoint, Duration.ofMillis(TIMEOUT_MS));
        this.spin = spin;
    }

    void send(MemorySegment pixels, long pixelBytes, int width, int height, int stride, long pts, boolean keyframe)
            throws IOException {
        frameRequest.wrap(request, 0).header(Hxfr.FLAG_PIXEL_DATA, 1, FrameRequestFlyweight.BODY_LENGTH + pixelBytes)
                .resourceId(0).width(width).height(height).format(PixelFormat.BGRA8888.fourcc()).stride(stride)
                .pts(pts).duration(33_333_333L).forceKeyframe(keyframe);
        writeFully(request, FrameRequestFlyweight.LENGTH);
        writeFully(pixels, pixelBytes);
    }

    /**
     * Opts in to frames by reference (HELLO) and registers {@code pool} (a sealed memfd, passed with SCM_RIGHTS).
     *
     * @return the pool id FRAME_REFs name
     */
    int registerMemfd(MemfdPool pool) throws IOException {
        extensions = HxfrClient.over(socket, Duration.ofMillis(TIMEOUT_MS));
        HxfrClient.Hello granted = extensions.hello(Hxfr.CAP_FRAME_REF | Hxfr.CAP_POOL_FD);
        if (!granted.grants(Hxfr.CAP_FRAME_REF)) {
            throw new IOException("the server did not grant frames by reference: " + granted);
        }
        return extensions.registerPool(pool);
    }

    /**
     * A FRAME_REF (88 bytes, no pixels) for a frame at {@code offset} in pool {@code poolId}: BGRA (one plane) or NV12
     * (the chroma plane right after the luma, same stride). Allocation-free. Needs {@link #registerMemfd} first.
     */
    void sendRef(int poolId, long offset, PixelFormat format, int width, int height, int stride, long pts,
                 boolean keyframe) throws IOException {
        strides[0] = stride;
        strides[1] = stride;
        planeOffsets[1] = (long) stride * height;
        extensions.sendFrameRef(poolId, offset, format, width, height, planeOffsets, strides, pts, keyframe);
    }

    /** Reads one FRAME_RESPONSE; returns the access unit's length (its bytes are in {@link #accessUnit()}). */
    long receive() throws IOException {
        readFully(answer, 0, MessageFlyweight.HEADER_LENGTH);
        int type = answer.get(HxfrLayouts.U8, MessageFlyweight.TYPE_OFFSET) & 0xFF;
        if (type == Hxfr.MSG_ERROR) {
            readFully(answer, MessageFlyweight.HEADER_LENGTH, ErrorFlyweight.LENGTH - MessageFlyweight.HEADER_LENGTH);
            error.wrap(answer, 0);
            throw new IOException("server answered ERROR " + error.errorCode() + ": " + error.message());
        }
        if (type != Hxfr.MSG_FRAME_RESPONSE) {
            throw new IOException("unexpected answer type " + Hxfr.typeName(type));
        }
        readFully(answer, MessageFlyweight.HEADER_LENGTH, FrameResponseFlyweight.BODY_LENGTH);
        frameResponse.wrap(answer, 0);
        lastPts = frameResponse.pts();
        lastKeyframe = frameResponse.isKeyframe();
        long nals = frameResponse.nalCount();
        long total = 0;
        for (long i = 0; i < nals; i++) {
            readFully(answer, FrameResponseFlyweight.LENGTH, 4);
            long size = answer.get(HxfrLayouts.U32, FrameResponseFlyweight.LENGTH) & 0xFFFF_FFFFL;
            if (total + size > MAX_ACCESS_UNIT) {
                throw new IOException("access unit larger than " + MAX_ACCESS_UNIT + " bytes");
            }
            readFully(accessUnit, total, size);
            total += size;
        }
        return total;
    }

    long lastPts() {
        return lastPts;
    }

    boolean lastKeyframe() {
        return lastKeyframe;
    }

    MemorySegment accessUnit() {
        return accessUnit;
    }

    private void writeFully(MemorySegment src, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = socket.write(src, done, length - done);
            if (n == 0 && !socket.awaitWritable(TIMEOUT_MS)) {
                throw new IOException("server did not take our bytes for " + TIMEOUT_MS + " ms");
            }
            done += n;
        }
    }

    private void readFully(MemorySegment dst, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = socket.read(dst, offset + done, length - done);
            if (n < 0) {
                throw new IOException("server closed the connection");
            }
            if (n == 0) {
                if (spin) {
                    spinUntilReadable();
                } else if (!socket.awaitReadable(TIMEOUT_MS)) {
                    throw new IOException("no answer from the server within " + TIMEOUT_MS + " ms");
                }
            }
            done += n;
        }
    }

    private void spinUntilReadable() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!socket.awaitReadable(0)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("no answer from the server within " + TIMEOUT_MS + " ms");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        if (extensions != null) {
            extensions.close(); // closes the socket too
        }
        socket.close();
        arena.close();
    }
}

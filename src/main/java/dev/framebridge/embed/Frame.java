package dev.framebridge.embed;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.ProtocolLimits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where a frame lies: native memory, its format and size, and each plane's offset and row pitch. Checked once when
 * made — every plane must lie inside the memory — so describe a buffer once and submit it as often as it is redrawn.
 * Immutable.
 *
 * <p>Formats: BGRA/RGBA (one plane, converted by libyuv straight into the encoder's planes), NV12 and I420 (planes
 * handed to the encoder where they lie: no copy at all).
 */
public final class Frame {
    private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();

    private final MemorySegment memory;
    private final PixelFormat format;
    private final int width;
    private final int height;
    private final long[] planeOffsets;
    private final int[] strides;

    private Frame(MemorySegment memory, PixelFormat format, int width, int height, long[] planeOffsets, int[] strides) {
        this.memory = memory;
        this.format = format;
        this.width = width;
        this.height = height;
        this.planeOffsets = planeOffsets;
        this.strides = strides;
    }

    /** BGRA (DRM ARGB8888: bytes B, G, R, A), rows {@code stride} bytes apart from the segment's first byte. */
    public static Frame bgra(MemorySegment memory, int width, int height, int stride) {
        return of(memory, PixelFormat.BGRA8888, width, height, new long[] {0}, new int[] {stride});
    }

    /** RGBA (DRM ABGR8888: bytes R, G, B, A). */
    public static Frame rgba(MemorySegment memory, int width, int height, int stride) {
        return of(memory, PixelFormat.RGBA8888, width, height, new long[] {0}, new int[] {stride});
    }

    /** NV12 laid out as usual: the Y plane, then the interleaved UV plane at {@code stride × height}, same stride. */
    public static Frame nv12(MemorySegment memory, int width, int height, int stride) {
        return of(memory, PixelFormat.NV12, width, height, new long[] {0, (long) stride * height}, new int[] {stride, stride});
    }

    /** I420 laid out as usual: Y, then U and V at half resolution, rows {@code (stride + 1) / 2} apart. */
    public static Frame i420(MemorySegment memory, int width, int height, int stride) {
        int chroma = (stride + 1) / 2;
        long u = (long) stride * height;
        long v = u + (long) chroma * ((height + 1) / 2);
        return of(memory, PixelFormat.I420, width, height, new long[] {0, u, v}, new int[] {stride, chroma, chroma});
    }

    /**
     * Any layout: plane {@code p} at {@code planeOffsets[p]} in {@code memory}, rows {@code strides[p]} bytes apart
     * (as many planes as the format has).
     *
     * @throws IllegalArgumentException naming the field when a plane does not fit the memory, a stride is shorter than
     *                                  a row, or the size is outside 1..8192
     */
    public static Frame of(MemorySegment memory, PixelFormat format, int width, int height, long[] planeOffsets,
                           int[] strides) {
        if (!memory.isNative()) {
            throw new IllegalArgumentException("frame memory is on the Java heap; the encoder reads native memory only:"
                    + " allocate it from an Arena");
        }
        if (planeOffsets.length < format.planes() || strides.length < format.planes()) {
            throw new IllegalArgumentException(format + " has " + format.planes() + " planes; " + planeOffsets.length
                    + " offsets and " + strides.length + " strides were given");
        }
        long[] offsets = planeOffsets.clone();
        int[] pitches = strides.clone();
        check(memory, format, width, height, offsets, pitches);
        return new Frame(memory, format, width, height, offsets, pitches);
    }

    /** The engine's own bounds check, on a scratch FRAME_REF describing this frame in its memory. */
    private static void check(MemorySegment memory, PixelFormat format, int width, int height, long[] offsets,
                              int[] strides) {
        try (Arena a = Arena.ofConfined()) {
            FrameRefFlyweight ref = new FrameRefFlyweight().wrap(a.allocate(FrameRefFlyweight.LENGTH), 0);
            writeTo(ref, format, width, height, offsets, strides);
            HxfrDecoder decoder = new HxfrDecoder(LIMITS);
            if (decoder.checkFrameRef(ref, memory.byteSize()) != HxfrDecoder.ACCEPT) {
                throw new IllegalArgumentException(decoder.rejection().message().toString()
                        .replace("FRAME_REF ", "frame ").replace(" pool 0 (", " the frame's memory ("));
            }
        }
    }

    /** Writes this frame's description into a FRAME_REF (pool 0, offset 0: offsets count from the segment). */
    void writeTo(FrameRefFlyweight ref) {
        writeTo(ref, format, width, height, planeOffsets, strides);
    }

    private static void writeTo(FrameRefFlyweight ref, PixelFormat format, int width, int height, long[] offsets,
                                int[] strides) {
        ref.header(0, 1).poolId(0).format(format.fourcc()).width(width).height(height).refFlags(0).frameOffset(0)
                .clearPlanes().duration(0);
        for (int p = 0; p < format.planes(); p++) {
            ref.plane(p, offsets[p], strides[p]);
        }
    }

    public MemorySegment memory() {
        return memory;
    }

    public PixelFormat format() {
        return format;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    @Override
    public String toString() {
        return format + " " + width + "x" + height + " in " + memory.byteSize() + " bytes at 0x"
                + Long.toHexString(memory.address());
    }
}

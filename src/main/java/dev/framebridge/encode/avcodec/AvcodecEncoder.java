package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.vaapi.VaDevice;
import dev.framebridge.encode.vaapi.VaDmaBufImport;
import dev.framebridge.ffi.LibAvutil;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * H.264 through one of libavcodec's encoders ({@link AvcodecCodec}), configured for real time by
 * {@link AvcodecRecipe}: one access unit per frame from the same call, SPS/PPS before every IDR, Annex-B, the access
 * unit handed out in libavcodec's packet memory (valid until the next call).
 *
 * <p>Input: BGRA/RGBA (converted by libyuv, BT.601 limited range, as for x264), NV12, I420 (software encoders
 * only), an RGB frame already converted by {@code RgbToNv12}, and — h264_vaapi only — a DMA-BUF imported as a VA
 * surface on the encoder's own display ({@link #importDmaBuf}), which reaches the GPU with no CPU copy at all.
 *
 * <p>Any change of configuration opens a new libavcodec encoder first and only then closes the old one, so a
 * refused configuration leaves the encoder working as it was; the next frame is an IDR with new SPS/PPS.
 */
public final class AvcodecEncoder implements Encoder {
    private final AvcodecCodec codec;
    private final Path node;
    private final AvcodecRecipe.DeviceHints hints;
    private AvcodecSession session;
    private EncoderConfig config;

    AvcodecEncoder(AvcodecCodec codec, EncoderConfig config, Path node, AvcodecRecipe.DeviceHints hints)
            throws EncoderException {
        this.codec = codec;
        this.node = node;
        this.hints = hints;
        this.session = AvcodecSession.open(codec, config, node, hints);
        this.config = config;
    }

    @Override
    public String name() {
        return codec.encoderName();
    }

    @Override
    public EncoderConfig config() {
        return config;
    }

    private AvcodecSession open() throws EncoderException {
        AvcodecSession s = session;
        if (s == null) {
            throw new EncoderException(codec.encoderName() + " encoder is closed");
        }
        return s;
    }

    @Override
    public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        open().encode(pixels, stride, pts, forceIdr, out);
    }

    @Override
    public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        open().encodeConverted(nv12, pts, forceIdr, out);
    }

    @Override
    public void reconfigure(EncoderConfig next) throws EncoderException {
        AvcodecSession current = open();
        if (next.equals(config)) {
            return;
        }
        AvcodecSession fresh = AvcodecSession.open(codec, next, node, hints);
        current.close();
        session = fresh;
        config = next;
    }

    /**
     * A DMA-BUF imported as a VA surface on this encoder's display, ready for {@link #encodeSurface}. It belongs to
     * the libavcodec session it was imported on: after a reconfigure, import again. Close it when done.
     */
    public static final class VaSurface implements AutoCloseable {
        private final AvcodecSession owner;
        private final VaDevice device;
        private final long surfaceId;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buffer = arena.allocate(ADDRESS);

        private VaSurface(AvcodecSession owner, VaDevice device, long surfaceId, long bufferRef) {
            this.owner = owner;
            this.device = device;
            this.surfaceId = surfaceId;
            buffer.set(JAVA_LONG, 0, bufferRef);
        }

        public long surfaceId() {
            return surfaceId;
        }

        long bufferRef() {
            return buffer.get(JAVA_LONG, 0);
        }

        @Override
        public void close() {
            if (!arena.scope().isAlive()) {
                return;
            }
            LibAvutil.av_buffer_unref(buffer);
            VaDmaBufImport.destroy(device, surfaceId);
            arena.close();
        }
    }

    /** The free callback of a surface's AVBufferRef: the surface is destroyed by {@link VaSurface#close}, not here. */
    private static final class NoopFree {
        static final MemorySegment STUB;

        static {
            try {
                STUB = Linker.nativeLinker().upcallStub(
                        MethodHandles.empty(MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), Arena.global());
            } catch (RuntimeException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * Imports an NV12 DMA-BUF of this encoder's size as a VA surface (h264_vaapi only). Not run on this project's
     * machines (none has a render node); see {@link VaDmaBufImport}.
     */
    public VaSurface importDmaBuf(VaDmaBufImport.Nv12DmaBuf buf) throws EncoderException {
        AvcodecSession s = open();
        VaDevice device = s.hardware() == null ? null : s.hardware().vaDevice();
        if (codec != AvcodecCodec.H264_VAAPI || device == null) {
            throw new EncoderException(codec.encoderName() + " cannot take a DMA-BUF: only h264_vaapi encodes VA surfaces");
        }
        if (buf.width() != (config.width() & ~1) || buf.height() != (config.height() & ~1)) {
            throw new EncoderException("DMA-BUF of " + buf.width() + "x" + buf.height() + " for an encoder of "
                    + config.width() + "x" + config.height() + ": reconfigure the encoder to the buffer's size first");
        }
        long surface;
        try {
            surface = VaDmaBufImport.importNv12(device, buf);
        } catch (VaDevice.VaDeviceException e) {
            throw new EncoderException(e.getMessage());
        }
        long ref = LibAvutil.av_buffer_create(surface, 0, NoopFree.STUB, 0, 0);
        if (ref == 0) {
            VaDmaBufImport.destroy(device, surface);
            throw new EncoderException("av_buffer_create failed: out of memory");
        }
        return new VaSurface(s, device, surface, ref);
    }

    /** Encodes an imported surface as the next frame: no upload, no copy. */
    public void encodeSurface(VaSurface surface, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        AvcodecSession s = open();
        if (surface.owner != s) {
            throw new EncoderException("VA surface " + surface.surfaceId() + " was imported before the encoder was"
                    + " reopened (a reconfigure); import the DMA-BUF again");
        }
        s.encodeSurface(surface.surfaceId(), surface.bufferRef(), pts, forceIdr, out);
    }

    /** An integer option as the open encoder holds it (av_opt_get_int), e.g. "bf" or "g"; for diagnostics and tests. */
    public long optionValue(String name) {
        return session.optionValue(name);
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}

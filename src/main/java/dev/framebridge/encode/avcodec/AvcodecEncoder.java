package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.DmaBufFrame;
import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.FramePlanes;
import dev.framebridge.encode.vaapi.VaDmaBufImport;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * H.264 through one of libavcodec's encoders ({@link AvcodecCodec}), configured for real time by
 * {@link AvcodecRecipe}: one access unit per frame from the same call, SPS/PPS before every IDR, Annex-B, the access
 * unit handed out in libavcodec's packet memory (valid until the next call).
 *
 * <p>Input: BGRA/RGBA (converted by libyuv, BT.601 limited range, as for x264), NV12, I420 (software encoders
 * only), an RGB frame already converted by {@code RgbToNv12}, planes where they lie (frames by reference,
 * {@link #encodePlanes}), and — h264_vaapi only — a DMA-BUF imported as a VA surface on the encoder's own display
 * ({@link #encodeDmaBuf}), which reaches the GPU with no CPU copy at all.
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

    @Override
    public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        open().encodePlanes(planes, pts, forceIdr, out);
    }

    /**
     * h264_vaapi: the DMA-BUF is imported as a VA surface on this encoder's own display and encoded from there, with
     * no CPU copy (see {@link VaDmaBufImport}); every other encoder declines. <b>Not run on this project's machines</b>
     * (none has a render node): only the declining and the refusals before libva is called are tested here.
     */
    @Override
    public int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        return open().encodeDmaBuf(buffer, planes, pts, forceIdr, out);
    }

    @Override
    public String dmaBufRefusal() {
        AvcodecSession s = session;
        return s == null ? null : s.importRefusal();
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

package dev.framebridge.encode;

import dev.framebridge.ffi.LibYuv;
import dev.framebridge.ffi.NativeLibraryMissing;
import dev.framebridge.ffi.X264;

import java.lang.foreign.MemorySegment;

/**
 * H.264 through libx264, configured for real time (see {@link X264Settings}): one access unit per frame from the
 * same call, SPS/PPS before every IDR, the access unit handed out in x264's own memory.
 *
 * <p>Input: BGRA8888/RGBA8888 (converted by libyuv into x264's picture planes, or already converted by the caller
 * with {@link RgbToNv12}), NV12 and I420 (read in place); frames by reference ({@link #encodePlanes}) in all four
 * formats, their planes wherever they lie.
 * Odd sizes are cropped to even ones. Timestamps: {@code pts} in nanoseconds goes in and comes back unchanged;
 * with no B-frames dts equals pts.
 */
public final class X264Encoder implements Encoder {
    public static final String NAME = "x264";

    private X264Session session;
    private EncoderConfig config;

    /** @throws EncoderException naming the package to install when libx264 (or, for RGB input, libyuv) is missing */
    public X264Encoder(EncoderConfig config) throws EncoderException {
        requireLibraries(config);
        this.session = X264Session.open(config);
        this.config = config;
    }

    private static void requireLibraries(EncoderConfig config) throws EncoderException {
        try {
            X264.requireAvailable();
            if (config.inputFormat().isRgb()) {
                LibYuv.requireAvailable();
            }
        } catch (NativeLibraryMissing e) {
            throw new EncoderException(e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public EncoderConfig config() {
        return config;
    }

    @Override
    public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        X264Session s = session;
        if (s == null) {
            throw new EncoderException("x264 encoder is closed");
        }
        s.encode(pixels, stride, pts, forceIdr, out);
    }

    @Override
    public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        X264Session s = session;
        if (s == null) {
            throw new EncoderException("x264 encoder is closed");
        }
        s.encodeConverted(nv12, pts, forceIdr, out);
    }

    @Override
    public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        X264Session s = session;
        if (s == null) {
            throw new EncoderException("x264 encoder is closed");
        }
        s.encodePlanes(planes, pts, forceIdr, out);
    }

    /**
     * A bitrate change goes through x264_encoder_reconfig and keeps the stream going; anything else (size, format,
     * frame rate, profile, level, preset, keyframe interval, rate-control mode, threads) opens a new x264 first and
     * only then closes the old one, so a refused configuration leaves the encoder working as it was.
     */
    @Override
    public void reconfigure(EncoderConfig next) throws EncoderException {
        if (session == null) {
            throw new EncoderException("x264 encoder is closed");
        }
        if (next.equals(config)) {
            return;
        }
        if (X264Settings.reconfigurableInPlace(config, next)) {
            session.reconfigureBitrate(next);
        } else {
            requireLibraries(next);
            X264Session fresh = X264Session.open(next);
            session.close();
            session = fresh;
        }
        config = next;
    }

    /** What x264 reports it is running with (x264_encoder_parameters), by x264.h member name; for tests and stats. */
    java.util.Map<String, Integer> effectiveParameters() {
        return session.effectiveParameters();
    }

    long contiguityFallbacks() {
        return session.contiguityFallbacks();
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}

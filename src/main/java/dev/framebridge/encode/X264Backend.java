package dev.framebridge.encode;

import dev.framebridge.ffi.LibYuv;
import dev.framebridge.ffi.X264;

/**
 * The x264 backend: available wherever libx264 build 164 and libyuv are installed (libyuv too, because the wire's
 * usual formats are BGRA/RGBA).
 */
public final class X264Backend implements EncoderBackend {
    private final String soname;
    private final String debianPackage;
    private final int build;

    public X264Backend() {
        this(X264.SONAME, X264.DEBIAN_PACKAGE, X264.X264_BUILD);
    }

    /**
     * Looks for libx264 under another soname or build — how tests see what a host without x264, or with another
     * build, is told. Only the real soname and build can open encoders (the bindings are made for them).
     */
    X264Backend(String soname, String debianPackage, int build) {
        this.soname = soname;
        this.debianPackage = debianPackage;
        this.build = build;
    }

    @Override
    public String name() {
        return X264Encoder.NAME;
    }

    @Override
    public String unavailableReason() {
        boolean real = soname.equals(X264.SONAME) && build == X264.X264_BUILD;
        String x264 = real ? X264.unavailableReason() : X264.unavailableReasonFor(soname, debianPackage, build);
        if (x264 != null) {
            return x264;
        }
        if (!real) {
            return "x264 bindings are generated for " + X264.SONAME + " build " + X264.X264_BUILD
                    + ", not " + soname + " build " + build;
        }
        return LibYuv.unavailableReason();
    }

    @Override
    public Encoder open(EncoderConfig config) throws EncoderException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new EncoderException("x264 unavailable: " + reason);
        }
        return new X264Encoder(config);
    }

    /** x264 encodes 4:2:0; RGB input goes through {@link RgbToNv12} whoever calls it. */
    @Override
    public boolean takesConvertedRgb() {
        return true;
    }
}

package dev.framebridge.encode;

import dev.framebridge.protocol.H264Profile;
import dev.framebridge.frame.PixelFormat;

/**
 * What an encoder is opened with. Immutable; build variants with the {@code with*} methods.
 *
 * @param bitrate       target bits per second
 * @param keyintMax     an IDR at least every this many frames
 * @param profile       H.264 profile_idc: 66 baseline, 77 main, 100 high
 * @param level         level_idc × 10 (e.g. 41), or 0 to let the encoder choose
 * @param preset        backend speed preset (x264: ultrafast…placebo)
 * @param threads       encoder threads, 0 = backend default
 */
public record EncoderConfig(int width, int height, PixelFormat inputFormat, int fpsNum, int fpsDen, int bitrate,
                            RateControl rateControl, int keyintMax, int profile, int level, String preset,
                            int threads) {

    public enum RateControl { CBR, VBR, CRF }

    public static final int DEFAULT_BITRATE_FLOOR = 8_000_000;

    public EncoderConfig {
        if (width < 1 || height < 1 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("frame size " + width + "x" + height + " outside 1x1..8192x8192");
        }
        if (fpsNum <= 0 || fpsDen <= 0) {
            throw new IllegalArgumentException("frame rate " + fpsNum + "/" + fpsDen + " must be positive");
        }
        if (bitrate <= 0) {
            throw new IllegalArgumentException("bitrate " + bitrate + " must be positive");
        }
        if (keyintMax < 1) {
            throw new IllegalArgumentException("keyframe interval " + keyintMax + " must be ≥ 1");
        }
        if (H264Profile.ofIdc(profile) == null) {
            throw new IllegalArgumentException("profile " + profile + " unsupported: use " + H264Profile.CHOICES);
        }
    }

    /** The host defaults from the field: ~4 bits per pixel per second with an 8 Mbit/s floor, 30 fps, keyint 60, main. */
    public static EncoderConfig defaults(int width, int height, PixelFormat format) {
        int bitrate = (int) Math.max(DEFAULT_BITRATE_FLOOR, Math.min(Integer.MAX_VALUE, 4L * width * height));
        return new EncoderConfig(width, height, format, 30, 1, bitrate, RateControl.CBR, 60, H264Profile.MAIN.idc(), 0, "ultrafast",
                0);
    }

    public EncoderConfig withSize(int w, int h) {
        return new EncoderConfig(w, h, inputFormat, fpsNum, fpsDen, bitrate, rateControl, keyintMax, profile, level, preset, threads);
    }

    public EncoderConfig withFormat(PixelFormat f) {
        return new EncoderConfig(width, height, f, fpsNum, fpsDen, bitrate, rateControl, keyintMax, profile, level, preset, threads);
    }

    public EncoderConfig withBitrate(int b) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, b, rateControl, keyintMax, profile, level, preset, threads);
    }

    public EncoderConfig withFrameRate(int num, int den) {
        return new EncoderConfig(width, height, inputFormat, num, den, bitrate, rateControl, keyintMax, profile, level, preset, threads);
    }

    public EncoderConfig withProfile(int p, int l) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, bitrate, rateControl, keyintMax, p, l, preset, threads);
    }

    public EncoderConfig withKeyintMax(int k) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, bitrate, rateControl, k, profile, level, preset, threads);
    }

    public EncoderConfig withRateControl(RateControl rc) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, bitrate, rc, keyintMax, profile, level, preset, threads);
    }

    public EncoderConfig withPreset(String p) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, bitrate, rateControl, keyintMax, profile, level, p, threads);
    }

    public EncoderConfig withThreads(int t) {
        return new EncoderConfig(width, height, inputFormat, fpsNum, fpsDen, bitrate, rateControl, keyintMax, profile, level, preset, t);
    }
}

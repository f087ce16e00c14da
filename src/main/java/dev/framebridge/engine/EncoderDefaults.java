package dev.framebridge.engine;

import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.frame.PixelFormat;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The host's encoder settings (from the command line or config file), merged with what a client asked for in
 * CONFIG_REQ and with the frame it sent. Zero means "not set": bitrate then scales with the frame (~4 bits
 * per pixel per second, 8 Mbit/s floor, as the reference host).
 */
final class EncoderDefaults {
    private final int bitrate;
    private final int fpsNum;
    private final int fpsDen;
    private final int keyint;
    private final int profile;
    private final String preset;
    private final EncoderThreadBudget budget;
    private final AtomicCounter opens;

    /** Every encoder gets {@code threads} (0: the backend's default). */
    EncoderDefaults(int bitrate, int fpsNum, int fpsDen, int keyint, int profile, String preset, int threads,
                    AtomicCounter opens) {
        this(bitrate, fpsNum, fpsDen, keyint, profile, preset, EncoderThreadBudget.fixed(threads), opens);
    }

    EncoderDefaults(int bitrate, int fpsNum, int fpsDen, int keyint, int profile, String preset,
                    EncoderThreadBudget budget, AtomicCounter opens) {
        this.bitrate = bitrate;
        this.fpsNum = fpsNum;
        this.fpsDen = fpsDen;
        this.keyint = keyint;
        this.profile = profile;
        this.preset = preset;
        this.budget = budget;
        this.opens = opens;
    }

    EncoderThreadBudget threadBudget() {
        return budget;
    }

    /** @param threads the encoder's threads, as {@link EncoderThreadBudget} decided them */
    EncoderConfig configFor(int width, int height, PixelFormat format, EncodeSession requested, int threads) {
        EncoderConfig c = EncoderConfig.defaults(width, height, format);
        int rate = requested.requestedBitrate > 0 ? requested.requestedBitrate : bitrate > 0 ? bitrate : c.bitrate();
        int num = requested.requestedFpsNum > 0 && requested.requestedFpsDen > 0 ? requested.requestedFpsNum : fpsNum;
        int den = requested.requestedFpsNum > 0 && requested.requestedFpsDen > 0 ? requested.requestedFpsDen : fpsDen;
        int prof = requested.requestedProfile > 0 ? requested.requestedProfile : profile;
        int level = requested.requestedLevel;
        return c.withBitrate(rate).withFrameRate(num, den).withKeyintMax(keyint).withProfile(prof, level)
                .withPreset(preset).withThreads(threads);
    }

    void onEncoderOpened() {
        if (opens != null) {
            opens.increment();
        }
    }
}

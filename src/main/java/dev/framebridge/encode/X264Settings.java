package dev.framebridge.encode;

import dev.framebridge.protocol.H264Profile;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-time recipe: how an {@link EncoderConfig} becomes x264 options, in one place and without native code
 * so it can be read (and tested) on its own.
 *
 * <ul>
 *   <li>preset from the config (default ultrafast), tune zerolatency; then explicitly: no B-frames, no rate-control
 *       or threading lookahead, sliced threads — so every frame in gives its access unit back from the same call;</li>
 *   <li>Annex-B start codes and SPS/PPS repeated in front of every IDR (a receiver can join at any keyframe);</li>
 *   <li>CBR: ABR at the bitrate with a VBV of maxrate = bitrate and a buffer of one frame's worth of bits, so no
 *       frame may borrow more than a frame time of link capacity (the latency bound); VBR lets peaks reach twice
 *       the bitrate over two frames; CRF 23 is capped like CBR;</li>
 *   <li>BGRA/RGBA input is converted here (libyuv, BT.601 limited range), so the VUI says so; YUV input is the
 *       producer's and left unlabelled.</li>
 * </ul>
 *
 * x264 needs even dimensions for 4:2:0, and H.264 cannot crop a single pixel off a 4:2:0 picture, so odd sizes are
 * <b>cropped</b> to the even size below: the last column and/or row is not encoded. (Refusing would break a guest
 * whose window happens to be 1023 pixels wide; padding would invent a column the decoder shows.)
 */
final class X264Settings {
    private X264Settings() {
    }

    static final String TUNE = "zerolatency";
    static final int CRF = 23;

    record Option(String name, String value) {
    }

    static int encodedWidth(EncoderConfig c) {
        return c.width() & ~1;
    }

    static int encodedHeight(EncoderConfig c) {
        return c.height() & ~1;
    }

    static String profileName(int profileIdc) {
        H264Profile p = H264Profile.ofIdc(profileIdc);
        if (p == null) {
            throw new IllegalArgumentException("profile " + profileIdc + " unsupported: use " + H264Profile.CHOICES);
        }
        return p.label();
    }

    static int bitrateKbps(EncoderConfig c) {
        return Math.max(1, c.bitrate() / 1000);
    }

    static int vbvMaxrateKbps(EncoderConfig c) {
        return c.rateControl() == EncoderConfig.RateControl.VBR ? 2 * bitrateKbps(c) : bitrateKbps(c);
    }

    /** VBV buffer: one frame time of maxrate (two for VBR), in kbit, at least 1. */
    static int vbvBufferKbits(EncoderConfig c) {
        long frames = c.rateControl() == EncoderConfig.RateControl.VBR ? 2 : 1;
        long kbits = frames * vbvMaxrateKbps(c) * (long) c.fpsDen() / c.fpsNum();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, kbits));
    }

    /** Everything set by name through x264_param_parse after the preset, in order. */
    static List<Option> options(EncoderConfig c) {
        List<Option> o = new ArrayList<>();
        o.add(new Option("fps", c.fpsNum() + "/" + c.fpsDen()));
        o.add(new Option("keyint", Integer.toString(c.keyintMax())));
        o.add(new Option("bframes", "0"));
        o.add(new Option("rc-lookahead", "0"));
        o.add(new Option("sync-lookahead", "0"));
        o.add(new Option("sliced-threads", "1"));
        o.add(new Option("threads", c.threads() == 0 ? "auto" : Integer.toString(c.threads())));
        o.add(new Option("annexb", "1"));
        o.add(new Option("repeat-headers", "1"));
        o.add(new Option("force-cfr", "1"));
        if (c.rateControl() == EncoderConfig.RateControl.CRF) {
            o.add(new Option("crf", Integer.toString(CRF)));
        } else {
            o.add(new Option("bitrate", Integer.toString(bitrateKbps(c))));
        }
        o.add(new Option("vbv-maxrate", Integer.toString(vbvMaxrateKbps(c))));
        o.add(new Option("vbv-bufsize", Integer.toString(vbvBufferKbits(c))));
        if (c.level() > 0) {
            o.add(new Option("level", Integer.toString(c.level())));
        }
        if (c.inputFormat().isRgb()) {
            o.add(new Option("colormatrix", "smpte170m"));
            o.add(new Option("fullrange", "off"));
        }
        return o;
    }

    /** True when {@code next} differs from {@code current} only in what x264_encoder_reconfig can change in place. */
    static boolean reconfigurableInPlace(EncoderConfig current, EncoderConfig next) {
        return current.withBitrate(next.bitrate()).equals(next);
    }
}

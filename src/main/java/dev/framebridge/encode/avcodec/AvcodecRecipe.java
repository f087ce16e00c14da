package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;

import java.util.ArrayList;
import java.util.List;

/**
 * The real-time recipe (the same as x264's, see {@code X264Settings}) as AVOptions, per encoder: no B-frames, no
 * lookahead or output delay, CBR with a VBV of one frame, an IDR when a frame is marked I ({@code forced-idr}),
 * SPS/PPS in band in front of every IDR (never {@code global_header}), Annex-B. Plain Java so it can be read and
 * tested on its own; {@code AvcodecOptionsTest} sets every option it names on a real context of each encoder this
 * libavcodec has, so a misspelt name or a value the encoder does not take fails a test here, GPU or not.
 *
 * <p>Per encoder, after Sunshine's settings for the same encoders:
 * <ul>
 *   <li>h264_vaapi: {@code async_depth=1} (one frame in flight, so each frame's output comes back with it),
 *       {@code idr_interval=0} (every keyframe an IDR), {@code rc_mode} CBR (VBR when the driver lacks CBR),
 *       {@code low_power} when the driver's H.264 encoder is the EncSliceLP one, no SEI;</li>
 *   <li>h264_nvenc: preset p1, tune ull, {@code zerolatency}, {@code delay=0}, {@code forced-idr}, rc cbr;</li>
 *   <li>h264_qsv: {@code async_depth=1}, {@code low_delay_brc}, no lookahead, {@code forced_idr}, veryfast, no
 *       picture-timing or recovery-point SEI, {@code max_dec_frame_buffering=1};</li>
 *   <li>h264_videotoolbox: {@code realtime}, hardware only ({@code allow_sw=0}); speed priority and one reference
 *       frame where this libavcodec knows those options;</li>
 *   <li>libx264: the project's x264 settings (preset, tune zerolatency, sliced threads, repeat headers).</li>
 * </ul>
 */
public final class AvcodecRecipe {
    private AvcodecRecipe() {
    }

    /**
     * One AVOption, set with av_opt_set on the codec context (reaching the encoder's private options too).
     *
     * @param required false for options only some builds have: their absence is not an error
     */
    public record Option(String name, String value, boolean required) {
    }

    /** What the device probe learnt that changes the options (VA-API/QSV drivers differ). */
    public record DeviceHints(boolean lowPower, boolean cbr) {
        /** A driver that was not asked: full-power encoder, CBR. */
        public static final DeviceHints DEFAULT = new DeviceHints(false, true);
    }

    /** Bits per second the VBV may drain at: the bitrate for CBR, twice it for VBR. */
    static long maxrate(EncoderConfig c) {
        return c.rateControl() == EncoderConfig.RateControl.VBR ? 2L * c.bitrate() : c.bitrate();
    }

    /** The VBV buffer: one frame time of maxrate (two for VBR), in bits, at least 1000. */
    static long bufsize(EncoderConfig c) {
        long frames = c.rateControl() == EncoderConfig.RateControl.VBR ? 2 : 1;
        return Math.max(1000, frames * maxrate(c) * c.fpsDen() / c.fpsNum());
    }

    static String profileName(AvcodecCodec codec, int profileIdc) {
        return switch (profileIdc) {
            case 66 -> codec == AvcodecCodec.H264_VAAPI ? "constrained_baseline" : "baseline";
            case 77 -> "main";
            case 100 -> "high";
            default -> throw new IllegalArgumentException("profile " + profileIdc + " unsupported: use 66, 77 or 100");
        };
    }

    /** The options for {@code codec} opened with {@code config}, in the order they are set. */
    public static List<Option> options(AvcodecCodec codec, EncoderConfig c, DeviceHints hints) throws EncoderException {
        if (c.rateControl() == EncoderConfig.RateControl.CRF && codec != AvcodecCodec.LIBX264) {
            throw new EncoderException(codec.encoderName() + " has no constant-quality mode in framebridge's recipe:"
                    + " use CBR or VBR (CRF is x264's)");
        }
        boolean cbr = c.rateControl() == EncoderConfig.RateControl.CBR;
        List<Option> o = new ArrayList<>();
        // the codec context's own options
        if (c.rateControl() != EncoderConfig.RateControl.CRF) {
            o.add(req("b", Long.toString(c.bitrate())));
        }
        o.add(req("maxrate", Long.toString(maxrate(c))));
        if (cbr && codec != AvcodecCodec.LIBX264) {
            o.add(req("minrate", Long.toString(c.bitrate())));
        }
        o.add(req("bufsize", Long.toString(bufsize(c))));
        o.add(req("g", Integer.toString(c.keyintMax())));
        o.add(req("bf", "0"));
        o.add(req("flags", "+cgop+low_delay"));
        if (c.inputFormat().isRgb()) {
            // framebridge converts RGB with libyuv, BT.601 limited range: say so in the VUI
            o.add(req("colorspace", "smpte170m"));
            o.add(req("color_range", "tv"));
        }
        o.add(req("profile", profileName(codec, c.profile())));
        switch (codec) {
            case LIBX264 -> {
                o.add(req("preset", c.preset()));
                o.add(req("tune", "zerolatency"));
                o.add(req("forced-idr", "1"));
                o.add(req("thread_type", "slice"));
                o.add(req("threads", Integer.toString(c.threads())));
                if (c.rateControl() == EncoderConfig.RateControl.CRF) {
                    o.add(req("crf", "23"));
                }
                if (c.level() > 0) {
                    o.add(req("level", levelName(c.level())));
                }
                o.add(req("x264-params", "repeat-headers=1:annexb=1:bframes=0:rc-lookahead=0:sync-lookahead=0"
                        + ":sliced-threads=1:force-cfr=1"));
            }
            case H264_VAAPI -> {
                o.add(req("async_depth", "1"));
                o.add(req("idr_interval", "0"));
                o.add(req("b_depth", "1"));
                o.add(req("rc_mode", cbr && hints.cbr() ? "CBR" : "VBR"));
                o.add(req("low_power", hints.lowPower() ? "1" : "0"));
                o.add(req("sei", "0"));
                o.add(req("aud", "0"));
                if (c.level() > 0) {
                    o.add(req("level", levelName(c.level())));
                }
            }
            case H264_NVENC -> {
                o.add(req("preset", "p1"));
                o.add(req("tune", "ull"));
                o.add(req("rc", cbr ? "cbr" : "vbr"));
                o.add(req("zerolatency", "1"));
                o.add(req("delay", "0"));
                o.add(req("forced-idr", "1"));
                o.add(req("b_ref_mode", "disabled"));
                o.add(req("rc-lookahead", "0"));
                if (c.level() > 0) {
                    o.add(req("level", levelName(c.level())));
                }
            }
            case H264_QSV -> {
                o.add(req("preset", "veryfast"));
                o.add(req("async_depth", "1"));
                o.add(req("forced_idr", "1"));
                o.add(req("low_delay_brc", "1"));
                o.add(req("look_ahead", "0"));
                o.add(req("idr_interval", "0"));
                o.add(req("low_power", hints.lowPower() ? "1" : "0"));
                // as Sunshine: no per-frame SEI, and a VUI that lets the decoder output each frame at once
                o.add(req("pic_timing_sei", "0"));
                o.add(req("recovery_point_sei", "0"));
                o.add(req("max_dec_frame_buffering", "1"));
                if (c.level() > 0) {
                    o.add(req("level", Integer.toString(c.level())));
                }
            }
            case H264_VIDEOTOOLBOX -> {
                o.add(req("realtime", "1"));
                o.add(req("allow_sw", "0"));
                o.add(new Option("prio_speed", "1", false));
                o.add(new Option("max_ref_frames", "1", false));
                if (c.level() > 0) {
                    o.add(new Option("level", levelName(c.level()), false));
                }
            }
        }
        return o;
    }

    /** 41 → "4.1", 30 → "3". */
    static String levelName(int level) {
        return level % 10 == 0 ? Integer.toString(level / 10) : level / 10 + "." + level % 10;
    }

    private static Option req(String name, String value) {
        return new Option(name, value, true);
    }
}

package dev.framebridge.encode;

import dev.framebridge.ffi.X264;
import dev.framebridge.ffi.X264.x264_nal_t;
import dev.framebridge.ffi.X264.x264_param_t;
import dev.framebridge.ffi.X264.x264_picture_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.framebridge.ffi.X264.NATIVE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One open x264 encoder and all the native memory around it, allocated at open and freed at close: the params, the
 * input and output pictures, the NAL out-pointers and (for RGB input) the conversion planes. Its size, format and
 * profile are fixed; only the bitrate changes in place.
 */
final class X264Session implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment param;
    private final MemorySegment encoder;
    private final MemorySegment pictureIn;
    private final MemorySegment pictureOut;
    private final MemorySegment nalsOut;      // x264_nal_t **
    private final MemorySegment nalCountOut;  // int *
    private final X264Input input;
    private final EncoderConfig config;
    /** Only when x264 breaks its promise of contiguous NAL payloads; grown off the hot path, never shrunk. */
    private Arena fallbackArena;
    private MemorySegment fallback = MemorySegment.NULL;
    private long contiguityFallbacks;
    private boolean closed;

    private X264Session(EncoderConfig config, Arena arena, MemorySegment param, MemorySegment encoder) {
        this.config = config;
        this.arena = arena;
        this.param = param;
        this.encoder = encoder;
        this.pictureIn = newPicture(arena);
        this.pictureOut = newPicture(arena);
        this.nalsOut = arena.allocate(ADDRESS);
        this.nalCountOut = arena.allocate(JAVA_INT);
        this.input = new X264Input(config, pictureIn, arena);
    }

    static X264Session open(EncoderConfig config) throws EncoderException {
        int width = X264Settings.encodedWidth(config);
        int height = X264Settings.encodedHeight(config);
        if (width < 2 || height < 2) {
            throw new EncoderException("x264 cannot encode " + config.width() + "x" + config.height()
                    + ": 4:2:0 needs at least 2x2 pixels");
        }
        // Shared: a session may be opened by the selecting thread and then driven by an encode agent.
        Arena arena = Arena.ofShared();
        MemorySegment param = arena.allocate(x264_param_t.sizeof(), 64);
        boolean opened = false;
        try {
            if (X264.x264_param_default_preset(param, arena.allocateFrom(config.preset()),
                    arena.allocateFrom(X264Settings.TUNE)) < 0) {
                throw new EncoderException("x264 has no preset '" + config.preset()
                        + "': use ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow or placebo");
            }
            param.set(JAVA_INT, x264_param_t.i_log_level$OFFSET, X264.X264_LOG_WARNING);
            param.set(JAVA_INT, x264_param_t.i_width$OFFSET, width);
            param.set(JAVA_INT, x264_param_t.i_height$OFFSET, height);
            param.set(JAVA_INT, x264_param_t.i_csp$OFFSET, X264Input.csp(config.inputFormat()));
            for (X264Settings.Option option : X264Settings.options(config)) {
                int rc = X264.x264_param_parse(param, arena.allocateFrom(option.name()), arena.allocateFrom(option.value()));
                if (rc != 0) {
                    throw new EncoderException("libx264 rejected option " + option.name() + "=" + option.value() + " ("
                            + (rc == X264.X264_PARAM_BAD_NAME ? "unknown name" : "bad value")
                            + "); this x264 build does not match what framebridge was written for");
                }
            }
            // With constant-frame-rate input x264 uses 1/fps as its timebase and carries i_pts through untouched,
            // so our nanosecond pts come back as they went in. Set it explicitly rather than rely on that default.
            param.set(JAVA_INT, x264_param_t.i_timebase_num$OFFSET, config.fpsDen());
            param.set(JAVA_INT, x264_param_t.i_timebase_den$OFFSET, config.fpsNum());
            String profile = X264Settings.profileName(config.profile());
            if (X264.x264_param_apply_profile(param, arena.allocateFrom(profile)) < 0) {
                throw new EncoderException("x264 cannot apply profile " + profile + " to this configuration");
            }
            MemorySegment encoder = X264.x264_encoder_open(param);
            if (encoder.address() == 0) {
                throw new EncoderException("x264_encoder_open refused " + width + "x" + height + " " + config.inputFormat()
                        + " at " + config.fpsNum() + "/" + config.fpsDen() + " fps, " + config.bitrate()
                        + " bit/s, profile " + profile + " (x264 printed the reason on stderr)");
            }
            try {
                X264Session session = new X264Session(config, arena, param, encoder);
                opened = true;
                return session;
            } finally {
                if (!opened) {
                    X264.x264_encoder_close(encoder);
                }
            }
        } finally {
            if (!opened) {
                X264.x264_param_cleanup(param);
                arena.close();
            }
        }
    }

    EncoderConfig config() {
        return config;
    }

    private static MemorySegment newPicture(Arena arena) {
        MemorySegment picture = arena.allocate(x264_picture_t.sizeof(), 16);
        X264.x264_picture_init(picture);
        return picture;
    }

    /** The hot path: allocation-free unless a frame is rejected or x264 fails. */
    void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        if (closed) {
            throw new EncoderException("x264 encoder is closed");
        }
        input.bind(pixels, stride);
        encodeBound(pts, forceIdr, out);
    }

    /** An RGB frame already converted by {@link RgbToNv12}; see {@link Encoder#encodeConverted}. */
    void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        if (closed) {
            throw new EncoderException("x264 encoder is closed");
        }
        input.bindConverted(nv12);
        encodeBound(pts, forceIdr, out);
    }

    /** A frame whose planes the caller located (frames by reference); see {@link Encoder#encodePlanes}. */
    void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        if (closed) {
            throw new EncoderException("x264 encoder is closed");
        }
        input.bindPlanes(planes);
        encodeBound(pts, forceIdr, out);
    }

    private void encodeBound(long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        pictureIn.set(JAVA_INT, x264_picture_t.i_type$OFFSET, forceIdr ? X264.X264_TYPE_IDR : X264.X264_TYPE_AUTO);
        pictureIn.set(JAVA_LONG, x264_picture_t.i_pts$OFFSET, pts);
        int bytes = X264.x264_encoder_encode(encoder, nalsOut, nalCountOut, pictureIn, pictureOut);
        if (bytes <= 0) {
            throw new EncoderException(bytes < 0
                    ? "x264_encoder_encode failed (" + bytes + ") for the frame at pts " + pts
                    : "x264 returned no access unit for the frame at pts " + pts
                    + " — it is buffering frames, which the real-time settings (no B-frames, no lookahead) forbid");
        }
        long nals = nalsOut.get(JAVA_LONG, 0);
        int count = nalCountOut.get(JAVA_INT, 0);
        boolean keyframe = pictureOut.get(JAVA_INT, x264_picture_t.b_keyframe$OFFSET) != 0;
        long outPts = pictureOut.get(JAVA_LONG, x264_picture_t.i_pts$OFFSET);
        long outDts = pictureOut.get(JAVA_LONG, x264_picture_t.i_dts$OFFSET);
        long first = NATIVE.get(JAVA_LONG, nals + x264_nal_t.p_payload$OFFSET);
        long end = contiguousEnd(nals, count, first);
        if (end - first == bytes) {
            out.setNative(first, bytes, keyframe, outPts, outDts);
        } else {
            out.set(copyNals(nals, count, bytes), keyframe, outPts, outDts);
        }
    }

    /** x264 documents that one call's NAL payloads are sequential in memory; verify it rather than trust it. */
    private static long contiguousEnd(long nals, int count, long first) {
        long expected = first;
        for (int i = 0; i < count; i++) {
            long nal = nals + i * x264_nal_t.sizeof();
            if (NATIVE.get(JAVA_LONG, nal + x264_nal_t.p_payload$OFFSET) != expected) {
                return -1;
            }
            expected += NATIVE.get(JAVA_INT, nal + x264_nal_t.i_payload$OFFSET);
        }
        return expected;
    }

    private MemorySegment copyNals(long nals, int count, int bytes) {
        contiguityFallbacks++;
        if (fallback.byteSize() < bytes) {
            if (fallbackArena != null) {
                fallbackArena.close();
            }
            fallbackArena = Arena.ofShared();
            fallback = fallbackArena.allocate(Math.max(bytes, 2L * fallback.byteSize()), 64);
        }
        long offset = 0;
        for (int i = 0; i < count; i++) {
            long nal = nals + i * x264_nal_t.sizeof();
            int length = NATIVE.get(JAVA_INT, nal + x264_nal_t.i_payload$OFFSET);
            MemorySegment.copy(NATIVE, NATIVE.get(JAVA_LONG, nal + x264_nal_t.p_payload$OFFSET), fallback, offset, length);
            offset += length;
        }
        return fallback.asSlice(0, offset);
    }

    /** How often the contiguity check failed and output was copied (expected: never). */
    long contiguityFallbacks() {
        return contiguityFallbacks;
    }

    /**
     * Changes bitrate and VBV in place from the next frame on. The change starts from x264's own view of its
     * parameters (x264_encoder_parameters), as x264.h recommends, in a scratch struct that is never cleaned up
     * because its string pointers belong to the encoder.
     */
    void reconfigureBitrate(EncoderConfig next) throws EncoderException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment current = scratch.allocate(x264_param_t.sizeof(), 64);
            X264.x264_encoder_parameters(encoder, current);
            if (next.rateControl() != EncoderConfig.RateControl.CRF) {
                current.set(JAVA_INT, x264_param_t.rc$i_bitrate$OFFSET, X264Settings.bitrateKbps(next));
            }
            current.set(JAVA_INT, x264_param_t.rc$i_vbv_max_bitrate$OFFSET, X264Settings.vbvMaxrateKbps(next));
            current.set(JAVA_INT, x264_param_t.rc$i_vbv_buffer_size$OFFSET, X264Settings.vbvBufferKbits(next));
            int rc = X264.x264_encoder_reconfig(encoder, current);
            if (rc < 0) {
                throw new EncoderException("x264_encoder_reconfig refused bitrate " + next.bitrate() + " bit/s (" + rc + ")");
            }
        }
    }

    /** The parameters x264 is actually running with (after open's own adjustments and any reconfig), by x264.h name. */
    java.util.Map<String, Integer> effectiveParameters() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = scratch.allocate(x264_param_t.sizeof(), 64);
            X264.x264_encoder_parameters(encoder, p);
            java.util.Map<String, Integer> m = new java.util.LinkedHashMap<>();
            m.put("i_width", p.get(JAVA_INT, x264_param_t.i_width$OFFSET));
            m.put("i_height", p.get(JAVA_INT, x264_param_t.i_height$OFFSET));
            m.put("i_csp", p.get(JAVA_INT, x264_param_t.i_csp$OFFSET));
            m.put("i_keyint_max", p.get(JAVA_INT, x264_param_t.i_keyint_max$OFFSET));
            m.put("i_bframe", p.get(JAVA_INT, x264_param_t.i_bframe$OFFSET));
            m.put("rc.i_lookahead", p.get(JAVA_INT, x264_param_t.rc$i_lookahead$OFFSET));
            m.put("rc.i_bitrate", p.get(JAVA_INT, x264_param_t.rc$i_bitrate$OFFSET));
            m.put("rc.i_vbv_max_bitrate", p.get(JAVA_INT, x264_param_t.rc$i_vbv_max_bitrate$OFFSET));
            m.put("rc.i_vbv_buffer_size", p.get(JAVA_INT, x264_param_t.rc$i_vbv_buffer_size$OFFSET));
            m.put("b_repeat_headers", p.get(JAVA_INT, x264_param_t.b_repeat_headers$OFFSET));
            m.put("b_annexb", p.get(JAVA_INT, x264_param_t.b_annexb$OFFSET));
            m.put("b_vfr_input", p.get(JAVA_INT, x264_param_t.b_vfr_input$OFFSET));
            m.put("i_fps_num", p.get(JAVA_INT, x264_param_t.i_fps_num$OFFSET));
            m.put("i_fps_den", p.get(JAVA_INT, x264_param_t.i_fps_den$OFFSET));
            return m;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        X264.x264_encoder_close(encoder);
        X264.x264_param_cleanup(param);
        arena.close();
        if (fallbackArena != null) {
            fallbackArena.close();
        }
    }
}

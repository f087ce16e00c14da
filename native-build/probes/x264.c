/*
 * Facts of x264.h for dev.framebridge.ffi.X264: X264_BUILD, the constants and every struct size and
 * member offset the binding touches. Build: cc -I native-build x264.c -lx264
 *
 * The typed function pointers below do not print anything: they make the compiler (-Werror) reject
 * this probe when a function X264 binds changes its signature, and the linker reject it when a symbol
 * disappears — the Java FunctionDescriptors in X264.java mirror exactly these types.
 */
#include <stdint.h>
#include "probe.h"
#include <x264.h>

static void (*const p_param_default)(x264_param_t *) = x264_param_default;
static int (*const p_param_default_preset)(x264_param_t *, const char *, const char *) = x264_param_default_preset;
static int (*const p_param_parse)(x264_param_t *, const char *, const char *) = x264_param_parse;
static int (*const p_param_apply_profile)(x264_param_t *, const char *) = x264_param_apply_profile;
static void (*const p_param_cleanup)(x264_param_t *) = x264_param_cleanup;
static void (*const p_picture_init)(x264_picture_t *) = x264_picture_init;
static x264_t *(*const p_encoder_open)(x264_param_t *) = x264_encoder_open; /* = x264_encoder_open_<X264_BUILD> */
static int (*const p_encoder_reconfig)(x264_t *, x264_param_t *) = x264_encoder_reconfig;
static void (*const p_encoder_parameters)(x264_t *, x264_param_t *) = x264_encoder_parameters;
static int (*const p_encoder_encode)(x264_t *, x264_nal_t **, int *, x264_picture_t *, x264_picture_t *) = x264_encoder_encode;
static void (*const p_encoder_close)(x264_t *) = x264_encoder_close;

int main(void) {
    const void *linked[] = {
        (const void *)p_param_default, (const void *)p_param_default_preset, (const void *)p_param_parse,
        (const void *)p_param_apply_profile, (const void *)p_param_cleanup, (const void *)p_picture_init,
        (const void *)p_encoder_open, (const void *)p_encoder_reconfig, (const void *)p_encoder_parameters,
        (const void *)p_encoder_encode, (const void *)p_encoder_close,
    };
    CONST_AS("x264.linked_functions", sizeof linked / sizeof linked[0]);

    CONST(X264_BUILD);
    CONST(X264_CSP_MASK);
    CONST(X264_CSP_I420);
    CONST(X264_CSP_NV12);
    CONST(X264_TYPE_AUTO);
    CONST(X264_TYPE_IDR);
    CONST(X264_TYPE_I);
    CONST(X264_TYPE_P);
    CONST(X264_LOG_ERROR);
    CONST(X264_LOG_WARNING);
    CONST(X264_PARAM_BAD_NAME);
    CONST(X264_PARAM_BAD_VALUE);
    CONST(NAL_SLICE_IDR);
    CONST(NAL_SEI);
    CONST(NAL_SPS);
    CONST(NAL_PPS);

    SIZE(x264_param_t, "x264_param_t");
    FIELD(x264_param_t, "x264_param_t", i_width);
    FIELD(x264_param_t, "x264_param_t", i_height);
    FIELD(x264_param_t, "x264_param_t", i_csp);
    FIELD(x264_param_t, "x264_param_t", i_log_level);
    FIELD(x264_param_t, "x264_param_t", i_keyint_max);
    FIELD(x264_param_t, "x264_param_t", i_fps_num);
    FIELD(x264_param_t, "x264_param_t", i_fps_den);
    FIELD(x264_param_t, "x264_param_t", i_timebase_num);
    FIELD(x264_param_t, "x264_param_t", i_timebase_den);
    FIELD(x264_param_t, "x264_param_t", b_vfr_input);
    FIELD(x264_param_t, "x264_param_t", b_repeat_headers);
    FIELD(x264_param_t, "x264_param_t", b_annexb);
    FIELD(x264_param_t, "x264_param_t", i_bframe);
    FIELD(x264_param_t, "x264_param_t", rc.i_bitrate);
    FIELD(x264_param_t, "x264_param_t", rc.i_vbv_max_bitrate);
    FIELD(x264_param_t, "x264_param_t", rc.i_vbv_buffer_size);
    FIELD(x264_param_t, "x264_param_t", rc.i_lookahead);

    SIZE(x264_picture_t, "x264_picture_t");
    FIELD(x264_picture_t, "x264_picture_t", i_type);
    FIELD(x264_picture_t, "x264_picture_t", b_keyframe);
    FIELD(x264_picture_t, "x264_picture_t", i_pts);
    FIELD(x264_picture_t, "x264_picture_t", i_dts);
    FIELD(x264_picture_t, "x264_picture_t", img.i_csp);
    FIELD(x264_picture_t, "x264_picture_t", img.i_plane);
    FIELD(x264_picture_t, "x264_picture_t", img.i_stride);
    FIELD(x264_picture_t, "x264_picture_t", img.plane);

    SIZE(x264_nal_t, "x264_nal_t");
    FIELD(x264_nal_t, "x264_nal_t", i_type);
    FIELD(x264_nal_t, "x264_nal_t", i_payload);
    FIELD(x264_nal_t, "x264_nal_t", p_payload);
    return 0;
}

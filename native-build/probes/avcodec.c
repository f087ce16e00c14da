/*
 * Facts of FFmpeg's libavcodec/libavutil headers for dev.framebridge.ffi.LibAvcodec and LibAvutil: the
 * library majors the offsets were checked for, the constants, and the offset of every struct member the
 * bindings read or write. Build: cc -I native-build avcodec.c -lavcodec -lavutil
 *
 * FFmpeg moves struct members between majors, so the Java side touches as few as it can: encoder settings go
 * through the AVOptions API (av_opt_set on the codec context, searching its private options too), and only
 * what has no option is written by offset — the frame rate, the hardware contexts, the frame planes, and the
 * packet's data, size and flags. The typed function pointers below make the compiler (-Werror) reject this
 * probe when a function the bindings call changes its signature, and the linker when one disappears.
 */
#include <stdint.h>
#include "probe.h"
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/buffer.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>
#include <libavutil/hwcontext_vaapi.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

/* libavcodec */
static unsigned (*const p_avcodec_version)(void) = avcodec_version;
static const AVCodec *(*const p_find_encoder_by_name)(const char *) = avcodec_find_encoder_by_name;
static AVCodecContext *(*const p_alloc_context3)(const AVCodec *) = avcodec_alloc_context3;
static void (*const p_free_context)(AVCodecContext **) = avcodec_free_context;
static int (*const p_open2)(AVCodecContext *, const AVCodec *, AVDictionary **) = avcodec_open2;
static int (*const p_send_frame)(AVCodecContext *, const AVFrame *) = avcodec_send_frame;
static int (*const p_receive_packet)(AVCodecContext *, AVPacket *) = avcodec_receive_packet;
static AVPacket *(*const p_packet_alloc)(void) = av_packet_alloc;
static void (*const p_packet_free)(AVPacket **) = av_packet_free;
static void (*const p_packet_unref)(AVPacket *) = av_packet_unref;

/* libavutil */
static unsigned (*const p_avutil_version)(void) = avutil_version;
static int (*const p_strerror)(int, char *, size_t) = av_strerror;
static int (*const p_opt_set)(void *, const char *, const char *, int) = av_opt_set;
static int (*const p_opt_set_int)(void *, const char *, int64_t, int) = av_opt_set_int;
static int (*const p_opt_get_int)(void *, const char *, int, int64_t *) = av_opt_get_int;
static AVFrame *(*const p_frame_alloc)(void) = av_frame_alloc;
static void (*const p_frame_free)(AVFrame **) = av_frame_free;
static void (*const p_frame_unref)(AVFrame *) = av_frame_unref;
static int (*const p_frame_get_buffer)(AVFrame *, int) = av_frame_get_buffer;
static int (*const p_frame_is_writable)(AVFrame *) = av_frame_is_writable;
static int (*const p_frame_make_writable)(AVFrame *) = av_frame_make_writable;
static AVBufferRef *(*const p_buffer_ref)(const AVBufferRef *) = av_buffer_ref;
static void (*const p_buffer_unref)(AVBufferRef **) = av_buffer_unref;
static int (*const p_buffer_get_ref_count)(const AVBufferRef *) = av_buffer_get_ref_count;
static AVBufferRef *(*const p_buffer_create)(uint8_t *, size_t, void (*)(void *, uint8_t *), void *, int) = av_buffer_create;
static int (*const p_hwdevice_ctx_create)(AVBufferRef **, enum AVHWDeviceType, const char *, AVDictionary *, int) = av_hwdevice_ctx_create;
static int (*const p_hwdevice_ctx_create_derived)(AVBufferRef **, enum AVHWDeviceType, AVBufferRef *, int) = av_hwdevice_ctx_create_derived;
static AVBufferRef *(*const p_hwdevice_ctx_alloc)(enum AVHWDeviceType) = av_hwdevice_ctx_alloc;
static int (*const p_hwdevice_ctx_init)(AVBufferRef *) = av_hwdevice_ctx_init;
static AVBufferRef *(*const p_hwframe_ctx_alloc)(AVBufferRef *) = av_hwframe_ctx_alloc;
static int (*const p_hwframe_ctx_init)(AVBufferRef *) = av_hwframe_ctx_init;
static int (*const p_hwframe_get_buffer)(AVBufferRef *, AVFrame *, int) = av_hwframe_get_buffer;
static int (*const p_hwframe_transfer_data)(AVFrame *, const AVFrame *, int) = av_hwframe_transfer_data;
static void (*const p_log_set_level)(int) = av_log_set_level;
static void (*const p_log_set_callback)(void (*)(void *, int, const char *, va_list)) = av_log_set_callback;
static void (*const p_log_default_callback)(void *, int, const char *, va_list) = av_log_default_callback;
static int (*const p_log_format_line2)(void *, int, const char *, va_list, char *, int, int *) = av_log_format_line2;
static const char *(*const p_get_pix_fmt_name)(enum AVPixelFormat) = av_get_pix_fmt_name;

int main(void) {
    const void *linked[] = {
        (const void *)p_avcodec_version, (const void *)p_find_encoder_by_name, (const void *)p_alloc_context3,
        (const void *)p_free_context, (const void *)p_open2, (const void *)p_send_frame,
        (const void *)p_receive_packet, (const void *)p_packet_alloc, (const void *)p_packet_free,
        (const void *)p_packet_unref,
    };
    const void *linked_util[] = {
        (const void *)p_avutil_version, (const void *)p_strerror, (const void *)p_opt_set, (const void *)p_opt_set_int,
        (const void *)p_opt_get_int, (const void *)p_frame_alloc, (const void *)p_frame_free,
        (const void *)p_frame_unref, (const void *)p_frame_get_buffer, (const void *)p_frame_is_writable,
        (const void *)p_frame_make_writable, (const void *)p_buffer_ref, (const void *)p_buffer_unref,
        (const void *)p_buffer_get_ref_count, (const void *)p_buffer_create, (const void *)p_hwdevice_ctx_create, (const void *)p_hwdevice_ctx_create_derived,
        (const void *)p_hwdevice_ctx_alloc,
        (const void *)p_hwdevice_ctx_init, (const void *)p_hwframe_ctx_alloc, (const void *)p_hwframe_ctx_init,
        (const void *)p_hwframe_get_buffer, (const void *)p_hwframe_transfer_data, (const void *)p_log_set_level,
        (const void *)p_log_set_callback, (const void *)p_log_default_callback, (const void *)p_log_format_line2,
        (const void *)p_get_pix_fmt_name,
    };
    CONST_AS("avcodec.linked_functions", sizeof linked / sizeof linked[0]);
    CONST_AS("avutil.linked_functions", sizeof linked_util / sizeof linked_util[0]);

    CONST(LIBAVCODEC_VERSION_MAJOR);
    CONST(LIBAVUTIL_VERSION_MAJOR);
    /* what the running libraries say of themselves must agree with the headers the probe was built with */
    CONST_AS("avcodec_version.major", avcodec_version() >> 16);
    CONST_AS("avutil_version.major", avutil_version() >> 16);

    CONST(AV_PIX_FMT_NONE);
    CONST(AV_PIX_FMT_YUV420P);
    CONST(AV_PIX_FMT_NV12);
    CONST(AV_PIX_FMT_VAAPI);
    CONST(AV_PIX_FMT_CUDA);
    CONST(AV_PIX_FMT_QSV);
    CONST(AV_PIX_FMT_VIDEOTOOLBOX);
    CONST(AV_HWDEVICE_TYPE_NONE);
    CONST(AV_HWDEVICE_TYPE_VAAPI);
    CONST(AV_HWDEVICE_TYPE_CUDA);
    CONST(AV_HWDEVICE_TYPE_QSV);
    CONST(AV_HWDEVICE_TYPE_VIDEOTOOLBOX);
    CONST(AV_OPT_SEARCH_CHILDREN);
    CONST(AV_PICTURE_TYPE_NONE);
    CONST(AV_PICTURE_TYPE_I);
    CONST(AV_PKT_FLAG_KEY);
    CONST(AV_NUM_DATA_POINTERS);
    CONST(AV_ERROR_MAX_STRING_SIZE);
    CONST(AV_LOG_QUIET);
    CONST(AV_LOG_ERROR);
    CONST(AV_LOG_WARNING);
    CONST(AV_LOG_INFO);
    CONST_AS("AVERROR_EAGAIN", AVERROR(EAGAIN));
    CONST_AS("AVERROR_EINVAL", AVERROR(EINVAL));
    CONST_AS("AVERROR_ENOSYS", AVERROR(ENOSYS));
    CONST(AVERROR_EOF);
    CONST(AVERROR_OPTION_NOT_FOUND);
    CONST(AVERROR_ENCODER_NOT_FOUND);
    CONST(AVERROR_EXTERNAL);

    /* libavcodec structs: only what has no AVOption */
    FIELD(AVCodecContext, "AVCodecContext", framerate);
    FIELD(AVCodecContext, "AVCodecContext", hw_frames_ctx);
    FIELD(AVCodecContext, "AVCodecContext", hw_device_ctx);

    SIZE(AVPacket, "AVPacket");
    FIELD(AVPacket, "AVPacket", pts);
    FIELD(AVPacket, "AVPacket", dts);
    FIELD(AVPacket, "AVPacket", data);
    FIELD(AVPacket, "AVPacket", size);
    FIELD(AVPacket, "AVPacket", flags);

    /* libavutil structs */
    SIZE(AVFrame, "AVFrame");
    FIELD(AVFrame, "AVFrame", data);
    FIELD(AVFrame, "AVFrame", linesize);
    FIELD(AVFrame, "AVFrame", width);
    FIELD(AVFrame, "AVFrame", height);
    FIELD(AVFrame, "AVFrame", format);
    FIELD(AVFrame, "AVFrame", pict_type);
    FIELD(AVFrame, "AVFrame", pts);
    FIELD(AVFrame, "AVFrame", buf);
    FIELD(AVFrame, "AVFrame", hw_frames_ctx);

    SIZE(AVBufferRef, "AVBufferRef");
    FIELD(AVBufferRef, "AVBufferRef", data);
    FIELD(AVBufferRef, "AVBufferRef", size);

    SIZE(AVRational, "AVRational");
    FIELD(AVRational, "AVRational", num);
    FIELD(AVRational, "AVRational", den);

    FIELD(AVHWDeviceContext, "AVHWDeviceContext", type);
    FIELD(AVHWDeviceContext, "AVHWDeviceContext", hwctx);
    FIELD(AVHWFramesContext, "AVHWFramesContext", initial_pool_size);
    FIELD(AVHWFramesContext, "AVHWFramesContext", format);
    FIELD(AVHWFramesContext, "AVHWFramesContext", sw_format);
    FIELD(AVHWFramesContext, "AVHWFramesContext", width);
    FIELD(AVHWFramesContext, "AVHWFramesContext", height);
    FIELD(AVVAAPIDeviceContext, "AVVAAPIDeviceContext", display);
    return 0;
}

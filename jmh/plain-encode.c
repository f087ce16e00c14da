/*
 * plain-encode — the libraries framebridge drives, driven from plain C with no socket and no JVM: libyuv converts each
 * BGRA frame of a raw file straight into x264's NV12 input planes (or NV12 frames go to x264 in place), and x264
 * encodes with exactly the settings framebridge gives it (X264Settings: preset ultrafast, tune zerolatency, no
 * B-frames, no lookahead, sliced threads, CBR at ~4 bits/pixel/s with an 8 Mbit/s floor and a one-frame VBV, keyint
 * 60, main profile, BT.601 limited range). The ceiling for "by reference": the same work, nothing around it.
 *
 *   cc -O2 -I headers -o plain-encode jmh/plain-encode.c -lx264 -lyuv
 *   plain-encode --in f.bgra --size WxH [--format bgra|nv12] [--threads N (default: auto, as serve's budget for one
 *                session)] [--out x.h264]
 *
 * Prints one line on stderr: frames, seconds of the encode loop, fps, and CPU per frame (user + system, all threads).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libyuv.h>
#include <x264.h>

#define KEYFRAME_EVERY 60
#define FRAME_NS 33333333LL

static void die(const char *what)
{
    fprintf(stderr, "plain-encode: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec
           + (double)u.ru_stime.tv_usec / 1e6;
}

static void option(x264_param_t *p, const char *name, const char *value)
{
    if (x264_param_parse(p, name, value) != 0) {
        errno = 0;
        fprintf(stderr, "plain-encode: x264 rejected %s=%s\n", name, value);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    const char *in = NULL, *size = NULL, *format = "bgra", *out = NULL, *threads = "auto";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--in") == 0) in = argv[i + 1];
        else if (strcmp(argv[i], "--size") == 0) size = argv[i + 1];
        else if (strcmp(argv[i], "--format") == 0) format = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else if (strcmp(argv[i], "--threads") == 0) threads = argv[i + 1];
        else { fprintf(stderr, "plain-encode: unknown option %s\n", argv[i]); return 2; }
    }
    unsigned w, h;
    if (in == NULL || size == NULL || sscanf(size, "%ux%u", &w, &h) != 2 || w < 2 || h < 2) {
        fprintf(stderr, "usage: plain-encode --in f.bgra --size WxH [--format bgra|nv12] [--threads N] [--out x.h264]\n");
        return 2;
    }
    int nv12 = strcmp(format, "nv12") == 0;
    size_t frame = nv12 ? (size_t)w * h + (size_t)w * ((h + 1) / 2) : (size_t)w * h * 4;
    int fd = open(in, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) die(in);
    size_t frames = (size_t)st.st_size / frame;
    if (frames == 0 || (size_t)st.st_size % frame != 0) { errno = 0; die("the file is not a whole number of frames"); }
    /* resident before the clock starts, as a producer's buffers are: no page fault per frame in the loop */
    const uint8_t *file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (file == MAP_FAILED) die("mmap");
    close(fd);
    FILE *sink = out ? fopen(out, "wb") : NULL;
    if (out && !sink) die(out);

    /* framebridge's recipe (X264Settings.options, in that order) */
    unsigned ew = w & ~1u, eh = h & ~1u;
    long long bps = 4LL * w * h < 8000000 ? 8000000 : 4LL * w * h;
    char kbps[32], vbv[32];
    snprintf(kbps, sizeof kbps, "%lld", bps / 1000);
    snprintf(vbv, sizeof vbv, "%lld", bps / 1000 / 30 > 0 ? bps / 1000 / 30 : 1);
    x264_param_t p;
    if (x264_param_default_preset(&p, "ultrafast", "zerolatency") < 0) { errno = 0; die("x264 preset"); }
    p.i_log_level = X264_LOG_WARNING;
    p.i_width = (int)ew;
    p.i_height = (int)eh;
    p.i_csp = X264_CSP_NV12;
    option(&p, "fps", "30/1");
    option(&p, "keyint", "60");
    option(&p, "bframes", "0");
    option(&p, "rc-lookahead", "0");
    option(&p, "sync-lookahead", "0");
    option(&p, "sliced-threads", "1");
    option(&p, "threads", threads);
    option(&p, "annexb", "1");
    option(&p, "repeat-headers", "1");
    option(&p, "force-cfr", "1");
    option(&p, "bitrate", kbps);
    option(&p, "vbv-maxrate", kbps);
    option(&p, "vbv-bufsize", vbv);
    if (!nv12) {
        option(&p, "colormatrix", "smpte170m");
        option(&p, "fullrange", "off");
    }
    p.i_timebase_num = 1;
    p.i_timebase_den = 30;
    if (x264_param_apply_profile(&p, "main") < 0) { errno = 0; die("x264 profile main"); }
    x264_t *enc = x264_encoder_open(&p);
    if (!enc) { errno = 0; die("x264_encoder_open"); }

    x264_picture_t pic, pic_out;
    x264_picture_init(&pic);
    pic.img.i_csp = X264_CSP_NV12;
    pic.img.i_plane = 2;
    uint8_t *planes = NULL;
    int plane_stride = (int)((ew + 63) & ~63u);
    if (!nv12) { /* the conversion target, allocated once (as X264Input's NV12 planes) */
        if (posix_memalign((void **)&planes, 64, (size_t)plane_stride * eh * 3 / 2) != 0) die("posix_memalign");
        pic.img.plane[0] = planes;
        pic.img.plane[1] = planes + (size_t)plane_stride * eh;
        pic.img.i_stride[0] = pic.img.i_stride[1] = plane_stride;
    }

    double t0 = now_s(), c0 = cpu_s();
    size_t bytes = 0;
    for (size_t i = 0; i < frames; i++) {
        const uint8_t *src = file + i * frame;
        if (nv12) { /* in place */
            pic.img.plane[0] = (uint8_t *)src;
            pic.img.plane[1] = (uint8_t *)src + (size_t)w * h;
            pic.img.i_stride[0] = pic.img.i_stride[1] = (int)w;
        } else if (ARGBToNV12(src, (int)w * 4, planes, plane_stride, planes + (size_t)plane_stride * eh, plane_stride,
                              (int)ew, (int)eh) != 0) {
            errno = 0;
            die("libyuv ARGBToNV12");
        }
        pic.i_type = i % KEYFRAME_EVERY == 0 ? X264_TYPE_IDR : X264_TYPE_AUTO;
        pic.i_pts = (int64_t)i * FRAME_NS;
        x264_nal_t *nals;
        int n;
        int got = x264_encoder_encode(enc, &nals, &n, &pic, &pic_out);
        if (got <= 0) { errno = 0; die("x264_encoder_encode returned no access unit"); }
        bytes += (size_t)got;
        if (sink && fwrite(nals[0].p_payload, 1, (size_t)got, sink) != (size_t)got) die(out);
    }
    double secs = now_s() - t0, cpu = cpu_s() - c0;
    x264_encoder_close(enc);
    free(planes);
    if (sink && fclose(sink) != 0) die(out);
    fprintf(stderr, "plain-c: %zu frames %ux%u %s in %.3f s = %.1f fps, CPU %.3f ms per frame, %zu bytes of H.264\n",
            frames, w, h, format, secs, (double)frames / secs, cpu * 1000 / (double)frames, bytes);
    return 0;
}

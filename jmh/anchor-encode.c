/*
 * anchor-encode — the plain-C anchor for jmh/scaling: what framebridge does to a BGRA frame, without framebridge.
 * Per frame: libyuv ARGBToNV12 (BGRA in memory, BT.601 limited range, as RgbToNv12) into x264's own NV12 picture,
 * then x264_encoder_encode with framebridge's real-time recipe (X264Settings): preset ultrafast, tune zerolatency,
 * profile main, fps 30/1, keyint 60, no B-frames, no lookahead, sliced threads, Annex-B with SPS/PPS before every
 * IDR, CBR at ~4 bits/pixel/s (8 Mbit/s floor) with a one-frame VBV, VUI smpte170m / limited range.
 *
 *   cc -O2 -o anchor-encode jmh/anchor-encode.c -lx264 -lyuv
 *   anchor-encode --in f.bgra --size WxH [--threads N (default 1)] [--loops N] [--out x.h264]
 *   anchor-encode --make-frames f.bgra --size WxH --count N
 *
 * --make-frames writes N BGRA test frames (moving gradients, a moving box, a band of noise: some motion, some
 * detail, like testsrc2) so that jmh/scaling needs no ffmpeg on the machine it runs on.
 *
 * The file is mapped with MAP_POPULATE before the clock starts (the frames are resident, as a producer's buffers are:
 * no page fault per frame) and read frame after frame (--loops times); one line on stderr:
 *   anchor: FRAMES frames WxH, THREADS threads, in S s = FPS fps, BYTES bytes of H.264, CPU s cpu, RSS kB anon rss
 * CPU is the encode loop's (user + system, all threads); RSS is the process's anonymous memory at the end (the
 * encoder's own: the mapped frames are page cache, as the framebridge server's RSS does not hold its clients' files).
 */
#define _DEFAULT_SOURCE
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
#include <x264.h>
#include <libyuv.h>

static void die(const char *why) {
    fprintf(stderr, "anchor-encode: %s\n", why);
    exit(1);
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec
           + ru.ru_stime.tv_usec / 1e6;
}

/* RssAnon from /proc/self/status, or -1 */
static long anon_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "RssAnon: %ld kB", &kb) == 1) break;
    }
    if (f) fclose(f);
    return kb;
}

static void set(x264_param_t *p, const char *name, const char *value) {
    if (x264_param_parse(p, name, value) != 0) {
        fprintf(stderr, "anchor-encode: x264 refused %s=%s\n", name, value);
        exit(1);
    }
}

static int make_frames(const char *path, int w, int h, int count) {
    FILE *o = fopen(path, "wb");
    if (!o) die("cannot open --make-frames");
    uint8_t *row = malloc((size_t) w * 4);
    uint32_t seed = 12345;
    for (int f = 0; f < count; f++) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                uint8_t *px = row + (size_t) x * 4;
                int bx = (f * 7) % w, by = (f * 3) % h;
                int in_box = x >= bx && x < bx + w / 6 && y >= by && y < by + h / 6;
                seed = seed * 1103515245u + 12345u;
                int noise = y > h * 3 / 4 ? (int) ((seed >> 16) & 0x3f) : 0;
                px[0] = (uint8_t) (in_box ? 240 : (x + f * 2) & 0xff);            /* B */
                px[1] = (uint8_t) (in_box ? 40 : ((y + f) ^ (x >> 3)) & 0xff);     /* G */
                px[2] = (uint8_t) (in_box ? 40 : ((x + y) / 2 + noise) & 0xff);    /* R */
                px[3] = 0xff;
            }
            if (fwrite(row, 1, (size_t) w * 4, o) != (size_t) w * 4) die("write failed");
        }
    }
    free(row);
    return fclose(o) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *size = NULL, *make = NULL;
    int threads = 1, loops = 1, count = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--make-frames")) make = argv[i + 1];
        else if (!strcmp(argv[i], "--count")) count = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--in")) in = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
        else if (!strcmp(argv[i], "--size")) size = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--loops")) loops = atoi(argv[i + 1]);
        else die("usage: anchor-encode --in f.bgra --size WxH [--threads N] [--loops N] [--out x.h264]");
    }
    int w = 0, h = 0;
    if (make) {
        if (!size || sscanf(size, "%dx%d", &w, &h) != 2 || w < 2 || h < 2 || count < 1) {
            die("usage: anchor-encode --make-frames f.bgra --size WxH --count N");
        }
        return make_frames(make, w, h, count);
    }
    if (!in || !size || sscanf(size, "%dx%d", &w, &h) != 2 || w < 2 || h < 2 || threads < 1 || loops < 1) {
        die("usage: anchor-encode --in f.bgra --size WxH [--threads N] [--loops N] [--out x.h264]");
    }
    int fd = open(in, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) die("cannot open --in");
    size_t frame_bytes = (size_t) w * h * 4;
    size_t frames = (size_t) st.st_size / frame_bytes;
    if (frames == 0) die("--in holds no whole frame of that size");
    const uint8_t *bgra = mmap(NULL, frames * frame_bytes, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (bgra == MAP_FAILED) die("mmap failed");
    FILE *o = out ? fopen(out, "wb") : NULL;
    if (out && !o) die("cannot open --out");

    int ew = w & ~1, eh = h & ~1;
    long kbps = (long) w * h * 4 / 1000;
    if (kbps < 8000) kbps = 8000;
    char text[32];
    x264_param_t p;
    if (x264_param_default_preset(&p, "ultrafast", "zerolatency") < 0) die("preset refused");
    p.i_log_level = X264_LOG_WARNING;
    p.i_width = ew;
    p.i_height = eh;
    p.i_csp = X264_CSP_NV12;
    set(&p, "fps", "30/1");
    set(&p, "keyint", "60");
    set(&p, "bframes", "0");
    set(&p, "rc-lookahead", "0");
    set(&p, "sync-lookahead", "0");
    set(&p, "sliced-threads", "1");
    snprintf(text, sizeof text, "%d", threads);
    set(&p, "threads", text);
    set(&p, "annexb", "1");
    set(&p, "repeat-headers", "1");
    set(&p, "force-cfr", "1");
    snprintf(text, sizeof text, "%ld", kbps);
    set(&p, "bitrate", text);
    set(&p, "vbv-maxrate", text);
    snprintf(text, sizeof text, "%ld", kbps / 30 > 0 ? kbps / 30 : 1);
    set(&p, "vbv-bufsize", text);
    set(&p, "colormatrix", "smpte170m");
    set(&p, "fullrange", "off");
    if (x264_param_apply_profile(&p, "main") < 0) die("profile main refused");
    x264_t *enc = x264_encoder_open(&p);
    if (!enc) die("x264_encoder_open failed");
    x264_picture_t pic, pic_out;
    if (x264_picture_alloc(&pic, X264_CSP_NV12, ew, eh) < 0) die("x264_picture_alloc failed");

    struct timespec t0, t1;
    double cpu0 = cpu_s();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t bytes = 0;
    size_t n = 0;
    for (int l = 0; l < loops; l++) {
        for (size_t f = 0; f < frames; f++, n++) {
            const uint8_t *src = bgra + f * frame_bytes;
            if (ARGBToNV12(src, w * 4, pic.img.plane[0], pic.img.i_stride[0], pic.img.plane[1], pic.img.i_stride[1],
                           ew, eh) != 0) {
                die("ARGBToNV12 failed");
            }
            pic.i_pts = (int64_t) n;
            pic.i_type = X264_TYPE_AUTO;
            x264_nal_t *nals;
            int count;
            int size_out = x264_encoder_encode(enc, &nals, &count, &pic, &pic_out);
            if (size_out < 0) die("x264_encoder_encode failed");
            if (size_out == 0) die("x264 held a frame back (the recipe must give one access unit per frame)");
            bytes += (uint64_t) size_out;
            if (o && fwrite(nals[0].p_payload, 1, (size_t) size_out, o) != (size_t) size_out) die("write failed");
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = cpu_s() - cpu0;
    fprintf(stderr, "anchor: %zu frames %dx%d, %d threads, in %.3f s = %.1f fps, %llu bytes of H.264, %.3f s cpu,"
            " %ld kB anon rss\n", n, w, h, threads, s, n / s, (unsigned long long) bytes, cpu, anon_rss_kb());
    x264_picture_clean(&pic);
    x264_encoder_close(enc);
    if (o) fclose(o);
    return 0;
}

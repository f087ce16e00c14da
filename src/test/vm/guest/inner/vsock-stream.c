/*
 * vsock-stream — the inner guest's client in scenario nested: what vsockenc does, from C with libc only, so that a
 * guest under double emulation (TCG inside TCG) needs no JVM. It connects to CID:PORT over AF_VSOCK, sends FRAMES
 * BGRA frames of WxH with their pixels in band (FRAME_REQUEST + PIXEL_DATA), and appends each FRAME_RESPONSE's access
 * unit to OUT.h264; the frames it drew go to OUT.bgra, so the host can compare what it decodes with them.
 *
 *   cc -O2 -Wall -static -I headers -o vsock-stream src/test/vm/guest/inner/vsock-stream.c
 *   vsock-stream CID PORT OUT FRAMES WxH
 *
 * A connect that is refused (nothing listening yet) is tried again each second for 5 minutes.
 * Exit codes: 0 every frame answered with H.264; 1 the host answered ERROR (printed: "ERROR code: message");
 * 2 usage; 3 I/O or system error (a refusal without an ERROR, a closed connection).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "hxfr.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vsock-stream writes hxfr.h's structs as they lie in memory: it needs a little-endian host"
#endif

_Static_assert(sizeof(hxfr_frame_request) == 56, "hxfr_frame_request is 56 bytes on the wire");
_Static_assert(sizeof(hxfr_frame_response) == 36, "hxfr_frame_response is 36 bytes on the wire");

static int sock = -1;

static void fail(int code, const char *what) {
    if (errno) perror(what); else fprintf(stderr, "vsock-stream: %s\n", what);
    exit(code);
}

static hxfr_header read_answer(void);

static void send_all(const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(sock, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        /* a host that refuses us (allow-list, full) sends an ERROR and closes: that ERROR says why, not EPIPE */
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) read_answer();
        if (w <= 0) fail(3, "send");
        c += w;
        n -= (size_t)w;
    }
}

static void recv_all(void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = recv(sock, c, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) { errno = 0; fail(3, "the host closed the connection"); }
        if (r < 0) fail(3, "recv");
        c += r;
        n -= (size_t)r;
    }
}

/* Reads one answer's header; an ERROR is printed and ends the program with exit code 1. */
static hxfr_header read_answer(void) {
    hxfr_header h;
    recv_all(&h, sizeof h);
    if (h.magic != HXFR_MAGIC) { errno = 0; fail(3, "the answer has a bad magic: not an HXFR host"); }
    if (h.type == HXFR_MSG_ERROR) {
        hxfr_error e;
        recv_all((char *)&e + sizeof h, sizeof e - sizeof h);
        printf("ERROR %d: %.*s\n", e.error_code, HXFR_ERROR_MESSAGE_LEN, e.message);
        exit(1);
    }
    return h;
}

/* A gradient that moves 4 pixels right per frame, with a bar per 32 rows: smooth enough to encode well, different
 * in every frame. B, G, R, A in memory. */
static void draw(uint8_t *p, unsigned w, unsigned h, unsigned i) {
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint8_t *px = p + ((size_t)y * w + x) * 4;
            px[0] = (uint8_t)((x + 4 * i) * 255 / (w + 4 * i));
            px[1] = (uint8_t)(y * 255 / h);
            px[2] = (uint8_t)((y / 32) % 2 ? 200 : 40);
            px[3] = 0xFF;
        }
    }
}

int main(int argc, char **argv) {
    unsigned width, height;
    if (argc != 6 || sscanf(argv[5], "%ux%u", &width, &height) != 2 || width < 2 || height < 2 || width > 4096
            || height > 4096) {
        fprintf(stderr, "usage: vsock-stream CID PORT OUT FRAMES WxH\n");
        return 2;
    }
    unsigned frames = (unsigned)strtoul(argv[4], NULL, 10);
    struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = (unsigned)strtoul(argv[1], NULL, 10),
                                .svm_port = (unsigned)strtoul(argv[2], NULL, 10) };
    /* serve may still be starting when this guest is up: a refused or reset connect is tried again, for 5 minutes */
    for (int attempt = 0;; attempt++) {
        sock = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0) fail(3, "socket(AF_VSOCK)");
        if (connect(sock, (struct sockaddr *)&addr, sizeof addr) == 0) break;
        if ((errno != ECONNREFUSED && errno != ECONNRESET) || attempt >= 300) fail(3, "connect");
        close(sock);
        sleep(1);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s.h264", argv[3]);
    FILE *out = fopen(path, "wb");
    if (!out) fail(3, path);
    snprintf(path, sizeof path, "%s.bgra", argv[3]);
    FILE *raw = fopen(path, "wb");
    if (!raw) fail(3, path);

    size_t frame_bytes = (size_t)width * height * 4;
    uint8_t *pixels = malloc(frame_bytes);
    uint8_t *au = NULL;
    size_t au_cap = 0, total = 0;
    if (!pixels) fail(3, "malloc");
    for (unsigned i = 0; i < frames; i++) {
        draw(pixels, width, height, i);
        if (fwrite(pixels, 1, frame_bytes, raw) != frame_bytes) fail(3, "write .bgra");
        hxfr_frame_request rq;
        memset(&rq, 0, sizeof rq);
        rq.header.magic = HXFR_MAGIC;
        rq.header.type = HXFR_MSG_FRAME_REQUEST;
        rq.header.flags = HXFR_FLAG_PIXEL_DATA;
        rq.header.session_id = 1;
        rq.header.payload_size = (uint32_t)(sizeof rq - sizeof rq.header + frame_bytes);
        rq.width = width;
        rq.height = height;
        rq.format = HXFR_FORMAT_BGRA8888;
        rq.stride = width * 4;
        rq.pts = (int64_t)i * 33333333;
        rq.duration = 33333333;
        rq.force_keyframe = i == 0;
        send_all(&rq, sizeof rq);
        send_all(pixels, frame_bytes);

        hxfr_header h = read_answer();
        if (h.type != HXFR_MSG_FRAME_RESPONSE) { errno = 0; fail(3, "FRAME_REQUEST was not answered with FRAME_RESPONSE"); }
        hxfr_frame_response rsp;
        recv_all((char *)&rsp + sizeof h, sizeof rsp - sizeof h);
        for (uint32_t n = 0; n < rsp.nal_count; n++) {
            uint32_t size;
            recv_all(&size, sizeof size);
            if (size > au_cap) {
                au_cap = size;
                au = realloc(au, au_cap);
                if (!au) fail(3, "realloc");
            }
            recv_all(au, size);
            if (fwrite(au, 1, size, out) != size) fail(3, "write .h264");
            total += size;
        }
    }
    if (fclose(out) != 0 || fclose(raw) != 0) fail(3, "close");
    printf("OK %u frames %ux%u, %zu bytes of H.264\n", frames, width, height, total);
    return 0;
}

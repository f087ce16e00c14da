/*
 * byref-client — frames by reference from C: what a capture process or compositor does to hand framebridge the
 * frames it already has in memory, with no pixels on the socket (docs/PROTOCOL-EXTENSIONS.md).
 *
 *   cc -O2 -Wall -I headers -o byref-client examples/byref-client.c
 *   byref-client unix:/run/user/1000/framebridge/hxfr.sock out.h264 [--frames N] [--size WxH] [--format bgra|nv12]
 *
 * 1. HELLO asking for fd pools and FRAME_REF; the host answers HELLO_RESP with what it grants.
 * 2. A memfd holding two frame areas, sealed so it can neither shrink nor grow (the host refuses it otherwise),
 *    mapped read-write here; REGISTER_POOL with the fd attached (SCM_RIGHTS); POOL_RESP gives the pool id.
 * 3. Per frame: draw into the area the host is not reading (frame i uses area i % 2), FRAME_REF naming it, read the
 *    answer (FRAME_RESPONSE: append the H.264 to the output; ERROR: print it and stop). One request in flight, so an
 *    area is the host's exactly from its FRAME_REF to its answer.
 * 4. UNREGISTER_POOL; after its POOL_RESP the host holds no mapping of the memfd.
 *
 * Exit codes: 0 done, 1 the host refused something (its message printed), 2 usage, 3 I/O or system error.
 * Plain C11 + Linux, libc only; little-endian hosts (hxfr.h's structs are written as they lie in memory).
 */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hxfr.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "byref-client writes hxfr.h's structs as they lie in memory: it needs a little-endian host"
#endif

_Static_assert(sizeof(hxfr_hello) == 28, "hxfr_hello is 28 bytes on the wire");
_Static_assert(sizeof(hxfr_hello_response) == 112, "hxfr_hello_response is 112 bytes on the wire");
_Static_assert(sizeof(hxfr_register_pool) == 64, "hxfr_register_pool is 64 bytes on the wire");
_Static_assert(sizeof(hxfr_pool_response) == 32, "hxfr_pool_response is 32 bytes on the wire");
_Static_assert(sizeof(hxfr_frame_ref) == 88, "hxfr_frame_ref is 88 bytes on the wire");

static int sock = -1;

static void fail(int code, const char *what) {
    if (errno) perror(what); else fprintf(stderr, "byref-client: %s\n", what);
    exit(code);
}

static void send_all(const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(sock, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
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

/* Reads one answer's header and, for anything but FRAME_RESPONSE, its whole body into body (up to cap bytes).
 * An ERROR is printed and ends the program. */
static hxfr_header read_answer(void *body, size_t cap) {
    hxfr_header h;
    recv_all(&h, sizeof h);
    if (h.magic != HXFR_MAGIC) { errno = 0; fail(3, "the answer has a bad magic: not an HXFR host"); }
    if (h.type == HXFR_MSG_ERROR) {
        hxfr_error e;
        recv_all((char *)&e + sizeof h, sizeof e - sizeof h);
        fprintf(stderr, "byref-client: the host answered ERROR %d: %.*s\n", e.error_code,
                HXFR_ERROR_MESSAGE_LEN, e.message);
        exit(1);
    }
    if (h.type != HXFR_MSG_FRAME_RESPONSE) {
        if (h.payload_size > cap) { errno = 0; fail(3, "an answer larger than expected"); }
        recv_all(body, h.payload_size);
    }
    return h;
}

static void header(hxfr_header *h, uint8_t type, uint32_t payload) {
    h->magic = HXFR_MAGIC;
    h->type = type;
    h->flags = 0;
    h->session_id = 1;
    h->payload_size = payload;
}

/* REGISTER_POOL with the memfd attached: one sendmsg carries the 64 bytes and, as SCM_RIGHTS, the fd. */
static void send_register_pool(int fd) {
    hxfr_register_pool rp;
    memset(&rp, 0, sizeof rp);
    header(&rp.header, HXFR_MSG_REGISTER_POOL, sizeof rp - sizeof rp.header);
    rp.source = HXFR_POOL_SOURCE_FD;
    rp.size = 0; /* all of it */

    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { .iov_base = &rp, .iov_len = sizeof rp };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = sizeof control.buf };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ssize_t w;
    do { w = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (w < 0 && errno == EINTR);
    if (w < 0) fail(3, "sendmsg(REGISTER_POOL, SCM_RIGHTS)");
    if ((size_t)w < sizeof rp) send_all((char *)&rp + w, sizeof rp - (size_t)w); /* the fd went with the first byte */
}

/* A test pattern that moves with the frame number: BGRA gradients, or NV12 luma ramps with constant chroma. */
static void draw(uint8_t *area, int nv12, unsigned w, unsigned h, unsigned stride, unsigned frame) {
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = area + (size_t)y * stride;
        for (unsigned x = 0; x < w; x++) {
            if (nv12) {
                row[x] = (uint8_t)(16 + ((x + y + 4 * frame) % 220));
            } else {
                row[4 * x + 0] = (uint8_t)(x + 3 * frame);      /* B */
                row[4 * x + 1] = (uint8_t)(y + frame);          /* G */
                row[4 * x + 2] = (uint8_t)((x ^ y) + frame);    /* R */
                row[4 * x + 3] = 0xFF;
            }
        }
    }
    if (nv12) {
        uint8_t *uv = area + (size_t)stride * h;
        for (unsigned y = 0; y < (h + 1) / 2; y++) memset(uv + (size_t)y * stride, 128 - (int)(frame % 32), (w + 1) & ~1u);
    }
}

int main(int argc, char **argv) {
    if (argc < 3 || strncmp(argv[1], "unix:", 5) != 0) {
        fprintf(stderr, "usage: byref-client unix:PATH out.h264 [--frames N] [--size WxH] [--format bgra|nv12]\n");
        return 2;
    }
    unsigned frames = 30, width = 640, height = 360;
    int nv12 = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--frames") == 0) frames = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--size") == 0 && sscanf(argv[i + 1], "%ux%u", &width, &height) == 2) { }
        else if (strcmp(argv[i], "--format") == 0) nv12 = strcmp(argv[i + 1], "nv12") == 0;
        else { fprintf(stderr, "byref-client: unknown option %s\n", argv[i]); return 2; }
    }
    if (width < 2 || height < 2 || width > 8192 || height > 8192) { fprintf(stderr, "byref-client: bad --size\n"); return 2; }

    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1] + 5) >= sizeof addr.sun_path) { fprintf(stderr, "byref-client: socket path too long\n"); return 2; }
    strcpy(addr.sun_path, argv[1] + 5);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) fail(3, argv[1]);
    FILE *out = fopen(argv[2], "wb");
    if (!out) fail(3, argv[2]);

    /* 1. HELLO */
    hxfr_hello hello;
    memset(&hello, 0, sizeof hello);
    header(&hello.header, HXFR_MSG_HELLO, sizeof hello - sizeof hello.header);
    hello.version = HXFR_EXT_VERSION;
    hello.capabilities = HXFR_CAP_POOL_FD | HXFR_CAP_FRAME_REF;
    send_all(&hello, sizeof hello);
    hxfr_hello_response hr;
    read_answer((char *)&hr + sizeof(hxfr_header), sizeof hr - sizeof(hxfr_header));
    if ((hr.capabilities & (HXFR_CAP_POOL_FD | HXFR_CAP_FRAME_REF)) != (HXFR_CAP_POOL_FD | HXFR_CAP_FRAME_REF)) {
        fprintf(stderr, "byref-client: the host does not grant fd pools here (capabilities 0x%x)\n", hr.capabilities);
        return 1;
    }
    fprintf(stderr, "byref-client: host speaks extension version %u, encoder %.*s, up to %u pools\n", hr.version,
            HXFR_ENCODER_NAME_LEN, hr.encoder, hr.max_pools);

    /* 2. a sealed memfd with two frame areas */
    unsigned stride = nv12 ? (width + 63) & ~63u : ((width * 4) + 63) & ~63u; /* padded rows, as GPUs like */
    size_t area = nv12 ? (size_t)stride * height + (size_t)stride * ((height + 1) / 2) : (size_t)stride * height;
    area = (area + 4095) & ~(size_t)4095;
    int fd = memfd_create("byref-client", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) fail(3, "memfd_create");
    if (ftruncate(fd, (off_t)(2 * area)) != 0) fail(3, "ftruncate");
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) fail(3, "F_ADD_SEALS");
    uint8_t *pool = mmap(NULL, 2 * area, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (pool == MAP_FAILED) fail(3, "mmap");
    send_register_pool(fd);
    hxfr_pool_response pr;
    read_answer((char *)&pr + sizeof(hxfr_header), sizeof pr - sizeof(hxfr_header));
    close(fd); /* the host has its own mapping now */
    fprintf(stderr, "byref-client: pool %u registered (%llu bytes)\n", pr.pool_id, (unsigned long long)pr.size);

    /* 3. frames by reference */
    uint8_t *au = NULL;
    size_t au_cap = 0, bytes = 0;
    for (unsigned i = 0; i < frames; i++) {
        size_t at = (i % 2) * area;
        draw(pool + at, nv12, width, height, stride, i);
        hxfr_frame_ref ref;
        memset(&ref, 0, sizeof ref);
        header(&ref.header, HXFR_MSG_FRAME_REF, sizeof ref - sizeof ref.header);
        ref.pool_id = pr.pool_id;
        ref.format = nv12 ? HXFR_FORMAT_NV12 : HXFR_FORMAT_BGRA8888;
        ref.width = width;
        ref.height = height;
        ref.flags = i % 60 == 0 ? HXFR_REF_FLAG_KEYFRAME : 0;
        ref.offset = at;
        ref.stride[0] = stride;
        if (nv12) {
            ref.plane_offset[1] = stride * height;
            ref.stride[1] = stride;
        }
        ref.pts = (int64_t)i * 33333333;
        ref.duration = 33333333;
        send_all(&ref, sizeof ref);

        hxfr_header h = read_answer(NULL, 0);
        if (h.type != HXFR_MSG_FRAME_RESPONSE) { errno = 0; fail(3, "FRAME_REF was not answered with FRAME_RESPONSE"); }
        hxfr_frame_response rsp;
        recv_all((char *)&rsp + sizeof h, sizeof rsp - sizeof h);
        for (uint32_t n = 0; n < rsp.nal_count; n++) {
            hxfr_nal_entry e;
            recv_all(&e, sizeof e);
            if (e.size > au_cap && !(au = realloc(au, au_cap = e.size))) fail(3, "realloc");
            recv_all(au, e.size);
            if (fwrite(au, 1, e.size, out) != e.size) fail(3, argv[2]);
            bytes += e.size;
        }
    }

    /* 4. unregister */
    hxfr_unregister_pool up;
    memset(&up, 0, sizeof up);
    header(&up.header, HXFR_MSG_UNREGISTER_POOL, sizeof up - sizeof up.header);
    up.pool_id = pr.pool_id;
    send_all(&up, sizeof up);
    read_answer((char *)&pr + sizeof(hxfr_header), sizeof pr - sizeof(hxfr_header));
    if (pr.kind != HXFR_POOL_KIND_RELEASED) { errno = 0; fail(3, "UNREGISTER_POOL was not answered with a release"); }

    fprintf(stderr, "byref-client: %u frames by reference, %zu bytes of H.264 in %s\n", frames, bytes, argv[2]);
    munmap(pool, 2 * area);
    free(au);
    if (fclose(out) != 0) fail(3, argv[2]);
    close(sock);
    return 0;
}

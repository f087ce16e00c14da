/*
 * stream-client — a native HXFR client streaming a raw frame file to a running `framebridge serve`, the C
 * equivalent of jmh's StreamFile (same options, same two lines on stderr). It stands in for vsockenc (the guest's
 * GStreamer element, also C) in jmh/side-by-side, so that the "framebridge over a Unix socket" row measures the
 * server and the transport rather than a JVM's start-up and warm-up.
 *
 *   cc -O2 -I headers -o stream-client jmh/stream-client.c
 *   stream-client --connect unix:PATH --in f.bgra --size WxH [--format bgra|rgba|nv12] [--stride N]
 *                 [--outstanding N] [--sndbuf BYTES] [--byref memfd|region:NAME] [--pace FPS] --out x.h264
 *
 * Per frame: one FRAME_REQUEST with its pixels inline (one writev: the 56-byte fixed part, then the frame straight
 * from the mmap'ed file), up to N requests in flight (1 = vsockenc's pattern), each FRAME_RESPONSE's NAL entries
 * appended to --out. Endpoints: unix:PATH, or tcp:HOST:PORT with a loopback HOST; never vsock.
 * Plain C11 + POSIX, no dependencies beyond libc.
 *
 * --byref (frames by reference, docs/PROTOCOL-EXTENSIONS.md): HELLO, then per frame an 88-byte FRAME_REF instead of
 * the pixels. "memfd": a sealed memfd of N frame areas (N = --outstanding) registered over the Unix socket; before
 * each FRAME_REF the client copies the frame from the file into the next area, as a producer renders into its pool
 * (that copy is timed and printed apart). "region:NAME": the server maps the raw file itself
 * (serve --region NAME=FILE) and each FRAME_REF names the frame's offset in it: no copy anywhere.
 */
#define _GNU_SOURCE /* madvise, MADV_SEQUENTIAL, memfd_create, F_ADD_SEALS */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hxfr.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "stream-client writes hxfr.h's structs as they lie in memory: it needs a little-endian host (the wire is LE)"
#endif

_Static_assert(sizeof(hxfr_header) == 12, "hxfr_header is 12 bytes on the wire");
_Static_assert(sizeof(hxfr_frame_request) == 56, "hxfr_frame_request is 56 bytes on the wire");
_Static_assert(sizeof(hxfr_frame_response) == 36, "hxfr_frame_response is 36 bytes on the wire");
_Static_assert(sizeof(hxfr_nal_entry) == 4, "hxfr_nal_entry is 4 bytes on the wire");
_Static_assert(sizeof(hxfr_error) == 272, "hxfr_error is 272 bytes on the wire");

#define TIMEOUT_S        10                 /* every blocking wait, as StreamClient's TIMEOUT_MS */
#define FRAME_NS         33333333LL         /* 30 fps: pts = i * this, duration = this */
#define KEYFRAME_EVERY   60                 /* force_keyframe on frames 0, 60, 120, ... (as vsockenc, StreamFile) */
#define SESSION_ID       1                  /* as StreamClient */

static const char usage_text[] =
    "usage: stream-client --connect unix:PATH --in f.bgra --size WxH [--format bgra|rgba|nv12] [--stride N]\n"
    "                     [--outstanding N] [--sndbuf BYTES] [--byref memfd|region:NAME] [--pace FPS] --out x.h264\n"
    "  Streams a raw frame file (frames back to back) to a running `framebridge serve` as HXFR FRAME_REQUESTs with\n"
    "  pixels inline, N requests in flight (default 1, as vsockenc), and writes the answers' H.264 to --out.\n"
    "  --connect  unix:PATH, or tcp:127.0.0.1:PORT (loopback only); vsock endpoints are not supported\n"
    "  --format   bgra (default), rgba or nv12;  --stride  bytes per row of plane 0 (default width x 4, nv12 width)\n"
    "  --sndbuf   SO_SNDBUF of the socket (default: the kernel's)\n"
    "  --pace     send frame i no earlier than i / FPS s after the first (a guest at its display rate; the round\n"
    "             trips are then the latency a paced guest sees, not a queue of frames waiting to be sent)\n"
    "  --byref    frames by reference: memfd (a sealed pool the client copies each frame into) or region:NAME\n"
    "             (the server maps --in itself: serve --region NAME=FILE); memfd needs a Unix socket\n"
    "  Prints fps and round-trip percentiles on stderr (as jmh's StreamFile).\n";

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stream-client: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void usage(const char *why) __attribute__((noreturn));

static void usage(const char *why)
{
    if (why != NULL) {
        fprintf(stderr, "stream-client: %s\n", why);
    }
    fputs(usage_text, stderr);
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A whole decimal number in [min, max], or usage error. */
static unsigned long long parse_number(const char *option, const char *text, unsigned long long min,
                                       unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "stream-client: %s %s: expected a whole number from %llu to %llu\n", option, text, min, max);
        usage(NULL);
    }
    return v;
}

/* ---- the connection ------------------------------------------------------------------------------------------ */

static int connect_endpoint(const char *endpoint, int sndbuf)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int tcp = 0;
    memset(&ss, 0, sizeof ss);
    if (strncmp(endpoint, "unix:", 5) == 0) {
        const char *path = endpoint + 5;
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        if (path[0] == '\0') {
            usage("--connect unix:PATH needs a path");
        }
        if (strlen(path) >= sizeof un->sun_path) {
            die("--connect %s: the path is longer than a Unix socket address allows (%zu bytes)", endpoint,
                sizeof un->sun_path - 1);
        }
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, path, strlen(path) + 1);
        len = (socklen_t)sizeof *un;
    } else if (strncmp(endpoint, "tcp:", 4) == 0) {
        const char *rest = endpoint + 4;
        const char *colon = strrchr(rest, ':');
        char host[64];
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        if (colon == NULL || colon == rest || (size_t)(colon - rest) >= sizeof host) {
            usage("--connect tcp:HOST:PORT needs a loopback HOST and a PORT, e.g. tcp:127.0.0.1:15937");
        }
        memcpy(host, rest, (size_t)(colon - rest));
        host[colon - rest] = '\0';
        unsigned port = (unsigned)parse_number("--connect tcp port", colon + 1, 1, 65535);
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (strcmp(host, "localhost") == 0) {
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        } else if (inet_pton(AF_INET, host, &in->sin_addr) != 1 || (ntohl(in->sin_addr.s_addr) >> 24) != 127) {
            die("--connect %s: this client only connects to loopback TCP (127.0.0.0/8 or localhost)", endpoint);
        }
        len = (socklen_t)sizeof *in;
        tcp = 1;
    } else if (strncmp(endpoint, "vsock:", 6) == 0 || strncmp(endpoint, "hvsock:", 7) == 0) {
        die("--connect %s: vsock endpoints are not supported by this client (unix:PATH or tcp:127.0.0.1:PORT)",
            endpoint);
    } else {
        usage("--connect: expected unix:PATH or tcp:127.0.0.1:PORT");
    }

    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die("socket(%s): %s", endpoint, strerror(errno));
    }
    /* blocking socket; every wait (connect, write, read) bounded like StreamClient's poll timeouts */
    struct timeval timeout = { .tv_sec = TIMEOUT_S, .tv_usec = 0 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0
        || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) < 0) {
        die("setsockopt(%s, SO_RCVTIMEO/SO_SNDTIMEO): %s", endpoint, strerror(errno));
    }
    if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0) {
        die("setsockopt(%s, SO_SNDBUF, %d): %s", endpoint, sndbuf, strerror(errno));
    }
    if (tcp) {
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
            die("setsockopt(%s, TCP_NODELAY): %s", endpoint, strerror(errno));
        }
    }
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&ss, len);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        int err = errno;
        die("cannot connect to %s: %s; is framebridge serve running with --listen %s?", endpoint,
            err == EAGAIN || err == EINPROGRESS ? "no answer within 10 s" : strerror(err), endpoint);
    }
    return fd;
}

/* Reads exactly n bytes; dies on end of stream, error or TIMEOUT_S of silence. */
static void read_fully(int fd, void *dst, size_t n, const char *what)
{
    unsigned char *p = dst;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        } else if (r == 0) {
            die("the server closed the connection (reading %s)", what);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            die("no answer from the server within %d s (reading %s)", TIMEOUT_S, what);
        } else if (errno != EINTR) {
            die("read (%s): %s", what, strerror(errno));
        }
    }
}

static void write_out(int fd, const unsigned char *p, size_t n, const char *path)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno != EINTR) {
            die("write %s: %s", path, strerror(errno));
        }
    }
}

static const char *error_name(int32_t code)
{
    switch (code) {
    case HXFR_OK: return "OK";
    case HXFR_ERR_INVALID_MSG: return "INVALID_MSG";
    case HXFR_ERR_RESOURCE_NOT_FOUND: return "RESOURCE_NOT_FOUND";
    case HXFR_ERR_NOT_METAL_TEXTURE: return "NOT_METAL_TEXTURE";
    case HXFR_ERR_NO_IOSURFACE: return "NO_IOSURFACE";
    case HXFR_ERR_ENCODE_FAILED: return "ENCODE_FAILED";
    case HXFR_ERR_NOT_CONFIGURED: return "NOT_CONFIGURED";
    case HXFR_ERR_INTERNAL: return "INTERNAL";
    default: return "?";
    }
}

/* The answer being read: its payload (fixed body after the header, then the NAL entries) in a reused buffer. */
struct answer {
    unsigned char *buf;
    size_t cap;
    const unsigned char *entries; /* first NAL entry (u32 size, size bytes), in buf */
    uint32_t nal_count;
    size_t au_bytes;              /* sum of the entries' sizes: the access unit */
};

static void skip_bytes(int fd, size_t n)
{
    unsigned char sink[4096];
    while (n > 0) {
        size_t k = n < sizeof sink ? n : sizeof sink;
        read_fully(fd, sink, k, "the rest of a message");
        n -= k;
    }
}

/*
 * Reads the next FRAME_RESPONSE: header, then payload_size bytes (fixed body + nal_count entries of u32 size and
 * size bytes of Annex-B), and checks the entries fill the payload exactly. PONGs are skipped; an ERROR is printed
 * (code and message) and ends the program with status 1.
 */
static void receive(int fd, struct answer *a)
{
    for (;;) {
        hxfr_header h;
        read_fully(fd, &h, sizeof h, "an answer's header");
        if (h.magic != HXFR_MAGIC) {
            die("the server's answer does not start with HXFR's magic (0x%08x instead of 0x%08x)", (unsigned)h.magic,
                (unsigned)HXFR_MAGIC);
        }
        if (h.type == HXFR_MSG_PONG) {
            skip_bytes(fd, h.payload_size);
            continue;
        }
        if (h.type == HXFR_MSG_ERROR) {
            hxfr_error e;
            size_t body = sizeof e - sizeof h;
            size_t take = h.payload_size < body ? h.payload_size : body;
            memset(&e, 0, sizeof e);
            read_fully(fd, (unsigned char *)&e + sizeof h, take, "an ERROR");
            skip_bytes(fd, h.payload_size - take);
            e.message[sizeof e.message - 1] = '\0';
            die("server answered ERROR %d (%s): %s", (int)e.error_code, error_name(e.error_code), e.message);
        }
        if (h.type != HXFR_MSG_FRAME_RESPONSE) {
            die("unexpected answer type 0x%02x (payload %u bytes)", (unsigned)h.type, (unsigned)h.payload_size);
        }
        size_t body = sizeof(hxfr_frame_response) - sizeof h;
        if (h.payload_size < body || h.payload_size > HXFR_MAX_PAYLOAD) {
            die("FRAME_RESPONSE with payload_size %u (expected %zu to %u)", (unsigned)h.payload_size, body,
                (unsigned)HXFR_MAX_PAYLOAD);
        }
        if (h.payload_size > a->cap) {
            size_t cap = a->cap ? a->cap : 1u << 20;
            while (cap < h.payload_size) {
                cap *= 2;
            }
            free(a->buf);
            a->buf = malloc(cap);
            if (a->buf == NULL) {
                die("out of memory for a %u-byte answer", (unsigned)h.payload_size);
            }
            a->cap = cap;
        }
        read_fully(fd, a->buf, h.payload_size, "a FRAME_RESPONSE");
        hxfr_frame_response r;
        memcpy((unsigned char *)&r + sizeof h, a->buf, body);
        a->nal_count = r.nal_count;
        a->entries = a->buf + body;
        a->au_bytes = 0;
        size_t at = body;
        for (uint32_t i = 0; i < r.nal_count; i++) {
            hxfr_nal_entry n;
            if (h.payload_size - at < sizeof n) {
                die("FRAME_RESPONSE: NAL entry %u of %u starts past payload_size %u", (unsigned)i,
                    (unsigned)r.nal_count, (unsigned)h.payload_size);
            }
            memcpy(&n, a->buf + at, sizeof n);
            at += sizeof n;
            if (h.payload_size - at < n.size) {
                die("FRAME_RESPONSE: NAL entry %u of %u (%u bytes) runs past payload_size %u", (unsigned)i,
                    (unsigned)r.nal_count, (unsigned)n.size, (unsigned)h.payload_size);
            }
            at += n.size;
            a->au_bytes += n.size;
        }
        if (at != h.payload_size) {
            die("FRAME_RESPONSE: payload_size %u but its %u NAL entries end at %zu", (unsigned)h.payload_size,
                (unsigned)r.nal_count, at);
        }
        return;
    }
}

/* Appends the answer's NAL entries (Annex-B with start codes) to --out: the access unit. */
static void write_access_unit(int out, const struct answer *a, const char *path)
{
    const unsigned char *p = a->entries;
    for (uint32_t i = 0; i < a->nal_count; i++) {
        hxfr_nal_entry n;
        memcpy(&n, p, sizeof n);
        write_out(out, p + sizeof n, n.size, path);
        p += sizeof n + n.size;
    }
}

/* One FRAME_REQUEST: the fixed part and the pixels in one writev, looping on partial writes. 0 or an errno. */
static int send_frame(int fd, const hxfr_frame_request *req, const unsigned char *pixels, size_t pixel_bytes)
{
    struct iovec iov[2] = {
        { .iov_base = (void *)req, .iov_len = sizeof *req },
        { .iov_base = (void *)pixels, .iov_len = pixel_bytes },
    };
    struct iovec *v = iov;
    int count = 2;
    while (count > 0) {
        ssize_t w = writev(fd, v, count);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        size_t done = (size_t)w;
        while (count > 0 && done >= v->iov_len) {
            done -= v->iov_len;
            v++;
            count--;
        }
        if (count > 0) {
            v->iov_base = (unsigned char *)v->iov_base + done;
            v->iov_len -= done;
        }
    }
    return 0;
}

static int compare_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Nearest rank, as HdrHistogram's getValueAtPercentile: the ceil(p/100 * n)-th smallest (p in per mille). */
static double percentile_us(const uint64_t *sorted, size_t n, unsigned per_mille)
{
    size_t rank = (size_t)(((unsigned long long)per_mille * n + 999) / 1000);
    if (rank < 1) {
        rank = 1;
    }
    return (double)sorted[rank - 1] / 1000.0;
}

/* ---- frames by reference -------------------------------------------------------------------------------------- */

/* Writes all of p; 0 or an errno (as send_frame). */
static int send_bytes(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w > 0) {
            c += w;
            n -= (size_t)w;
        } else if (w < 0 && errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

static void send_all(int fd, const void *p, size_t n, const char *what)
{
    int err = send_bytes(fd, p, n);
    if (err != 0) {
        die("sending %s: %s", what, strerror(err));
    }
}

/* Reads the answer to an extension request: a message of type `type` whose body lands in `whole` after its header. */
static void receive_fixed(int fd, uint8_t type, void *whole, size_t size, const char *what)
{
    hxfr_header h;
    read_fully(fd, &h, sizeof h, what);
    if (h.type == HXFR_MSG_ERROR) {
        hxfr_error e;
        memset(&e, 0, sizeof e);
        read_fully(fd, (unsigned char *)&e + sizeof h, sizeof e - sizeof h, what);
        e.message[sizeof e.message - 1] = '\0';
        die("%s refused: ERROR %d (%s): %s", what, (int)e.error_code, error_name(e.error_code), e.message);
    }
    if (h.magic != HXFR_MAGIC || h.type != type || h.payload_size != size - sizeof h) {
        die("%s: unexpected answer type 0x%02x, %u bytes (is the server older than frames by reference?)", what,
            (unsigned)h.type, (unsigned)h.payload_size);
    }
    memcpy(whole, &h, sizeof h);
    read_fully(fd, (unsigned char *)whole + sizeof h, size - sizeof h, what);
}

static void ext_header(hxfr_header *h, uint8_t type, size_t total)
{
    h->magic = HXFR_MAGIC;
    h->type = type;
    h->flags = 0;
    h->session_id = SESSION_ID;
    h->payload_size = (uint32_t)(total - sizeof *h);
}

/* HELLO, then REGISTER_POOL: a memfd sent with SCM_RIGHTS (memfd_fd >= 0) or a host region by name. Returns the id. */
static uint32_t register_pool(int fd, int memfd_fd, const char *region)
{
    hxfr_hello hello;
    memset(&hello, 0, sizeof hello);
    ext_header(&hello.header, HXFR_MSG_HELLO, sizeof hello);
    hello.version = HXFR_EXT_VERSION;
    hello.capabilities = HXFR_CAP_POOL_FD | HXFR_CAP_POOL_REGION | HXFR_CAP_FRAME_REF;
    send_all(fd, &hello, sizeof hello, "HELLO");
    hxfr_hello_response hr;
    receive_fixed(fd, HXFR_MSG_HELLO_RESP, &hr, sizeof hr, "HELLO");

    hxfr_register_pool rp;
    memset(&rp, 0, sizeof rp);
    ext_header(&rp.header, HXFR_MSG_REGISTER_POOL, sizeof rp);
    if (memfd_fd >= 0) {
        rp.source = HXFR_POOL_SOURCE_FD;
        union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
        memset(&control, 0, sizeof control);
        struct iovec iov = { .iov_base = &rp, .iov_len = sizeof rp };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof control.buf };
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &memfd_fd, sizeof memfd_fd);
        ssize_t w;
        do {
            w = sendmsg(fd, &msg, MSG_NOSIGNAL);
        } while (w < 0 && errno == EINTR);
        if (w < 0) {
            die("sendmsg(REGISTER_POOL, SCM_RIGHTS): %s (fd pools need a Unix socket)", strerror(errno));
        }
        if ((size_t)w < sizeof rp) {
            send_all(fd, (unsigned char *)&rp + w, sizeof rp - (size_t)w, "REGISTER_POOL");
        }
    } else {
        rp.source = HXFR_POOL_SOURCE_REGION;
        if (strlen(region) >= sizeof rp.region) {
            die("--byref region:%s: the name is longer than %zu bytes", region, sizeof rp.region - 1);
        }
        memcpy(rp.region, region, strlen(region));
        send_all(fd, &rp, sizeof rp, "REGISTER_POOL");
    }
    hxfr_pool_response pr;
    receive_fixed(fd, HXFR_MSG_POOL_RESP, &pr, sizeof pr, "REGISTER_POOL");
    return pr.pool_id;
}

/* ---- main ---------------------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *connect_to = NULL, *in_path = NULL, *size = NULL, *format_name = "bgra", *out_path = NULL;
    const char *stride_text = NULL, *byref = NULL;
    unsigned long long outstanding = 1, sndbuf = 0, pace = 0;

    for (int i = 1; i < argc; i += 2) {
        const char *k = argv[i];
        if (strcmp(k, "-h") == 0 || strcmp(k, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "stream-client: %s needs a value\n", k);
            usage(NULL);
        }
        const char *v = argv[i + 1];
        if (strcmp(k, "--connect") == 0) {
            connect_to = v;
        } else if (strcmp(k, "--in") == 0) {
            in_path = v;
        } else if (strcmp(k, "--size") == 0) {
            size = v;
        } else if (strcmp(k, "--format") == 0) {
            format_name = v;
        } else if (strcmp(k, "--stride") == 0) {
            stride_text = v;
        } else if (strcmp(k, "--outstanding") == 0) {
            outstanding = parse_number(k, v, 1, 1u << 20);
        } else if (strcmp(k, "--pace") == 0) {
            pace = parse_number(k, v, 1, 1000);
        } else if (strcmp(k, "--sndbuf") == 0) {
            sndbuf = parse_number(k, v, 1, INT_MAX);
        } else if (strcmp(k, "--byref") == 0) {
            if (strcmp(v, "memfd") != 0 && strncmp(v, "region:", 7) != 0) {
                usage("--byref memfd or --byref region:NAME");
            }
            byref = v;
        } else if (strcmp(k, "--out") == 0) {
            out_path = v;
        } else {
            fprintf(stderr, "stream-client: unknown option %s\n", k);
            usage(NULL);
        }
    }
    if (connect_to == NULL || in_path == NULL || size == NULL || out_path == NULL) {
        usage("--connect, --in, --size and --out are required");
    }

    unsigned width, height;
    char extra;
    if (sscanf(size, "%ux%u%c", &width, &height, &extra) != 2 || width == 0 || height == 0 || width > 65536
        || height > 65536) {
        usage("--size: expected WxH, e.g. 1920x1080");
    }
    uint32_t fourcc;
    unsigned bytes_per_pixel;
    int nv12 = 0;
    if (strcmp(format_name, "bgra") == 0) {
        fourcc = HXFR_FORMAT_BGRA8888;
        bytes_per_pixel = 4;
    } else if (strcmp(format_name, "rgba") == 0) {
        fourcc = HXFR_FORMAT_RGBA8888;
        bytes_per_pixel = 4;
    } else if (strcmp(format_name, "nv12") == 0) {
        fourcc = HXFR_FORMAT_NV12;
        bytes_per_pixel = 1;
        nv12 = 1;
    } else {
        usage("--format bgra, rgba or nv12");
    }
    uint64_t min_stride = (uint64_t)width * bytes_per_pixel;
    uint64_t stride = stride_text ? parse_number("--stride", stride_text, 1, UINT32_MAX) : min_stride;
    if (stride < min_stride) {
        die("--stride %llu is less than width %u x %u bytes per pixel (%llu)", (unsigned long long)stride, width,
            bytes_per_pixel, (unsigned long long)min_stride);
    }
    /* as framebridge's PixelFormat.frameBytes: NV12's UV plane has ceil(height / 2) rows */
    uint64_t frame_bytes = nv12 ? stride * height + stride * ((height + 1) / 2) : stride * height;
    if (frame_bytes + (sizeof(hxfr_frame_request) - sizeof(hxfr_header)) > UINT32_MAX) {
        die("a %ux%u %s frame (%llu bytes) does not fit in an HXFR message", width, height, format_name,
            (unsigned long long)frame_bytes);
    }

    /* the input, mapped: frames go to the socket straight from the page cache */
    int in = open(in_path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        die("cannot open %s: %s", in_path, strerror(errno));
    }
    struct stat st;
    if (fstat(in, &st) < 0) {
        die("cannot stat %s: %s", in_path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        die("%s is %s, not a file of raw frames", in_path, S_ISREG(st.st_mode) ? "empty" : "not a regular file");
    }
    uint64_t file_bytes = (uint64_t)st.st_size;
    if (file_bytes % frame_bytes != 0) {
        die("%s is %llu bytes: not a whole number of %ux%u %s frames of %llu bytes (stride %llu) but %.2f;"
            " check --size, --format and --stride", in_path, (unsigned long long)file_bytes, width, height,
            format_name, (unsigned long long)frame_bytes, (unsigned long long)stride,
            (double)file_bytes / (double)frame_bytes);
    }
    size_t frames = (size_t)(file_bytes / frame_bytes);
    const unsigned char *file = mmap(NULL, (size_t)file_bytes, PROT_READ, MAP_PRIVATE, in, 0);
    if (file == MAP_FAILED) {
        die("cannot map %s: %s", in_path, strerror(errno));
    }
    close(in);
    (void)madvise((void *)file, (size_t)file_bytes, MADV_SEQUENTIAL);

    uint64_t *sent_at = malloc(frames * sizeof *sent_at);
    uint64_t *rtt = malloc(frames * sizeof *rtt);
    if (sent_at == NULL || rtt == NULL) {
        die("out of memory for %zu frames' timings", frames);
    }

    signal(SIGPIPE, SIG_IGN); /* a closed connection is an EPIPE from writev, reported below */
    int fd = connect_endpoint(connect_to, (int)sndbuf);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        die("cannot create %s: %s", out_path, strerror(errno));
    }

    hxfr_frame_request req;
    memset(&req, 0, sizeof req);
    req.header.magic = HXFR_MAGIC;
    req.header.type = HXFR_MSG_FRAME_REQUEST;
    req.header.flags = HXFR_FLAG_PIXEL_DATA;
    req.header.session_id = SESSION_ID;
    req.header.payload_size = (uint32_t)(sizeof req - sizeof req.header + frame_bytes);
    req.resource_id = 0; /* 0 = pixels follow */
    req.width = width;
    req.height = height;
    req.format = fourcc;
    req.stride = (uint32_t)stride;
    req.duration = FRAME_NS;

    /* frames by reference: the pool, and the FRAME_REF that replaces the FRAME_REQUEST */
    hxfr_frame_ref ref;
    unsigned char *pool = NULL;
    size_t area = 0;
    uint64_t copy_ns = 0;
    memset(&ref, 0, sizeof ref);
    if (byref != NULL) {
        uint32_t pool_id;
        if (strcmp(byref, "memfd") == 0) {
            area = (size_t)((frame_bytes + 4095) & ~(uint64_t)4095);
            int mfd = memfd_create("stream-client", MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (mfd < 0 || ftruncate(mfd, (off_t)(area * outstanding)) != 0
                || fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
                die("memfd pool of %llu frames: %s", outstanding, strerror(errno));
            }
            pool = mmap(NULL, area * outstanding, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
            if (pool == MAP_FAILED) {
                die("mmap of the memfd pool: %s", strerror(errno));
            }
            pool_id = register_pool(fd, mfd, NULL);
            close(mfd);
        } else {
            pool_id = register_pool(fd, -1, byref + 7);
        }
        ext_header(&ref.header, HXFR_MSG_FRAME_REF, sizeof ref);
        ref.pool_id = pool_id;
        ref.format = fourcc;
        ref.width = width;
        ref.height = height;
        ref.stride[0] = (uint32_t)stride;
        if (nv12) {
            ref.plane_offset[1] = (uint32_t)(stride * height);
            ref.stride[1] = (uint32_t)stride;
        }
        ref.duration = FRAME_NS;
    }

    struct answer a = { 0 };
    uint64_t start = now_ns();
    size_t sent = 0;
    unsigned long long bytes = 0;
    for (size_t received = 0; received < frames; received++) {
        while (sent < frames && sent - received < outstanding) {
            if (pace > 0) {
                uint64_t due = start + (uint64_t)sent * 1000000000u / pace;
                for (uint64_t t = now_ns(); t < due; t = now_ns()) {
                    struct timespec d = { (time_t)((due - t) / 1000000000u), (long)((due - t) % 1000000000u) };
                    nanosleep(&d, NULL);
                }
            }
            req.pts = (int64_t)sent * FRAME_NS;
            req.force_keyframe = sent % KEYFRAME_EVERY == 0;
            int err;
            if (byref == NULL) {
                sent_at[sent] = now_ns();
                err = send_frame(fd, &req, file + sent * frame_bytes, (size_t)frame_bytes);
            } else {
                if (pool != NULL) {
                    /* the producer "renders" the frame into the pool area the server is not reading */
                    uint64_t c0 = now_ns();
                    ref.offset = (uint64_t)(sent % outstanding) * area;
                    memcpy(pool + ref.offset, file + sent * frame_bytes, (size_t)frame_bytes);
                    copy_ns += now_ns() - c0;
                } else {
                    ref.offset = (uint64_t)sent * frame_bytes; /* the server maps this very file */
                }
                ref.pts = (int64_t)sent * FRAME_NS;
                ref.flags = sent % KEYFRAME_EVERY == 0 ? HXFR_REF_FLAG_KEYFRAME : 0;
                sent_at[sent] = now_ns();
                err = send_bytes(fd, &ref, sizeof ref);
            }
            if (err == EAGAIN || err == EWOULDBLOCK) {
                die("the server did not take frame %zu's bytes for %d s", sent, TIMEOUT_S);
            }
            if (err != 0) {
                fprintf(stderr, "stream-client: sending frame %zu: %s\n", sent, strerror(err));
                /* the server may have said why before closing: read what it sent (an ERROR ends the program) */
                for (;;) {
                    receive(fd, &a);
                }
            }
            sent++;
        }
        receive(fd, &a);
        rtt[received] = now_ns() - sent_at[received];
        bytes += a.au_bytes;
        write_access_unit(out, &a, out_path);
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    if (close(out) < 0) {
        die("write %s: %s", out_path, strerror(errno));
    }
    close(fd);

    fprintf(stderr, "stream: %zu frames %ux%u, %llu outstanding, in %.3f s = %.1f fps, %llu bytes of H.264\n",
            frames, width, height, outstanding, seconds, (double)frames / seconds, bytes);
    if (pool != NULL) {
        fprintf(stderr, "byref: memfd pool; the client copied each frame into it in %.3f ms on average\n",
                (double)copy_ns / 1e6 / (double)frames);
    } else if (byref != NULL) {
        fprintf(stderr, "byref: %s; no copy anywhere (the server maps --in)\n", byref);
    }
    qsort(rtt, frames, sizeof *rtt, compare_u64);
    fprintf(stderr, "%s us: n=%zu p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f\n", "stream round trip", frames,
            percentile_us(rtt, frames, 500), percentile_us(rtt, frames, 900), percentile_us(rtt, frames, 990),
            percentile_us(rtt, frames, 999), (double)rtt[frames - 1] / 1000.0);
    /* the guest's own cost of sending (copying each frame into its socket): jmh/scaling adds it to the server's */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        fprintf(stderr, "stream cpu: %.3f s user + system\n", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
                + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    }
    return 0;
}

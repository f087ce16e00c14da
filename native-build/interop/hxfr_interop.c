/*
 * hxfr_interop — proves the Java protocol layouts against a C compiler reading headers/hxfr.h.
 *
 *   hxfr_interop write   writes one message of every type to stdout, filled through the C structs
 *   hxfr_interop read    reads messages from stdin and prints every field as "name=value" text
 *
 * Built and driven by dev.framebridge.protocol.CInteropTest. Little-endian hosts only (as the protocol).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "hxfr.h"

static void header(hxfr_header *h, uint8_t type, uint8_t flags, uint16_t session, uint32_t payload) {
    h->magic = HXFR_MAGIC;
    h->type = type;
    h->flags = flags;
    h->session_id = session;
    h->payload_size = payload;
}

static void out(const void *p, size_t n) {
    if (fwrite(p, 1, n, stdout) != n) {
        perror("write");
        exit(2);
    }
}

static int write_all(void) {
    hxfr_frame_request fr;
    memset(&fr, 0, sizeof fr);
    header(&fr.header, HXFR_MSG_FRAME_REQUEST, HXFR_FLAG_PIXEL_DATA, 1, 44 + 16);
    fr.resource_id = 0;
    fr.width = 2;
    fr.height = 2;
    fr.format = HXFR_FORMAT_RGBA8888;
    fr.stride = 8;
    fr.pts = 1234567890123LL;
    fr.duration = 16666667;
    fr.force_keyframe = 1;
    out(&fr, sizeof fr);
    for (uint8_t i = 0; i < 16; i++) out(&i, 1);

    hxfr_frame_response rsp;
    memset(&rsp, 0, sizeof rsp);
    static const uint8_t au[] = {0, 0, 0, 1, 0x65};
    header(&rsp.header, HXFR_MSG_FRAME_RESPONSE, 0, 1, 24 + 4 + sizeof au);
    rsp.pts = -5;
    rsp.dts = -6;
    rsp.is_keyframe = 1;
    rsp.nal_count = 1;
    out(&rsp, sizeof rsp);
    hxfr_nal_entry e = {sizeof au};
    out(&e, sizeof e);
    out(au, sizeof au);

    hxfr_header kf;
    header(&kf, HXFR_MSG_KEYFRAME_REQ, 0, 1, 0);
    out(&kf, sizeof kf);

    hxfr_config_request cfg;
    memset(&cfg, 0, sizeof cfg);
    header(&cfg.header, HXFR_MSG_CONFIG_REQ, 0, 1, sizeof cfg - sizeof cfg.header);
    cfg.width = 1920;
    cfg.height = 1080;
    cfg.bitrate = 12000000;
    cfg.framerate_num = 60000;
    cfg.framerate_den = 1001;
    cfg.profile = 100;
    cfg.level = 42;
    cfg.realtime = 1;
    out(&cfg, sizeof cfg);

    hxfr_header ping;
    header(&ping, HXFR_MSG_PING, 0, 513, 0);
    out(&ping, sizeof ping);
    hxfr_header pong;
    header(&pong, HXFR_MSG_PONG, 0, 513, 0);
    out(&pong, sizeof pong);

    hxfr_enable_scanout en;
    header(&en.header, HXFR_MSG_ENABLE_SCANOUT, 0, 1, sizeof en - sizeof en.header);
    en.scanout_id = 2;
    en.width = 2560;
    en.height = 1440;
    en.refresh_rate = 144;
    out(&en, sizeof en);

    hxfr_disable_scanout dis;
    header(&dis.header, HXFR_MSG_DISABLE_SCANOUT, 0, 1, sizeof dis - sizeof dis.header);
    dis.scanout_id = 2;
    out(&dis, sizeof dis);

    hxfr_scanout_response sr;
    memset(&sr, 0, sizeof sr);
    header(&sr.header, HXFR_MSG_SCANOUT_RESP, 0, 1, sizeof sr - sizeof sr.header);
    sr.scanout_id = 2;
    sr.success = 1;
    strcpy(sr.connector_name, "Virtual-2");
    out(&sr, sizeof sr);

    hxfr_subscribe sub;
    header(&sub.header, HXFR_MSG_SUBSCRIBE, 0, 1, sizeof sub - sizeof sub.header);
    sub.scanout_id = 5;
    out(&sub, sizeof sub);

    hxfr_subscribe_response subr;
    header(&subr.header, HXFR_MSG_SUBSCRIBE_RESP, 0, 5, sizeof subr - sizeof subr.header);
    subr.scanout_id = 5;
    subr.success = 0;
    out(&subr, sizeof subr);

    hxfr_error err;
    memset(&err, 0, sizeof err);
    header(&err.header, HXFR_MSG_ERROR, 0, 1, sizeof err - sizeof err.header);
    err.error_code = HXFR_ERR_NOT_CONFIGURED;
    strcpy(err.message, "encoder not configured: send CONFIG_REQ first");
    out(&err, sizeof err);

    /* extension messages */
    hxfr_hello hello;
    memset(&hello, 0, sizeof hello);
    header(&hello.header, HXFR_MSG_HELLO, 0, 1, sizeof hello - sizeof hello.header);
    hello.version = HXFR_EXT_VERSION;
    hello.capabilities = HXFR_CAP_POOL_FD | HXFR_CAP_POOL_REGION | HXFR_CAP_FRAME_REF;
    out(&hello, sizeof hello);

    hxfr_hello_response hr;
    memset(&hr, 0, sizeof hr);
    header(&hr.header, HXFR_MSG_HELLO_RESP, 0, 1, sizeof hr - sizeof hr.header);
    hr.version = HXFR_EXT_VERSION;
    hr.capabilities = HXFR_CAP_POOL_REGION | HXFR_CAP_FRAME_REF;
    hr.max_payload = HXFR_MAX_PAYLOAD;
    hr.max_in_flight = 3;
    hr.max_dimension = 4096;
    hr.max_pools = 8;
    hr.format_count = 2;
    hr.formats[0] = HXFR_FORMAT_NV12;
    hr.formats[1] = HXFR_FORMAT_I420;
    strcpy(hr.encoder, "x264");
    out(&hr, sizeof hr);

    hxfr_register_pool rp;
    memset(&rp, 0, sizeof rp);
    header(&rp.header, HXFR_MSG_REGISTER_POOL, 0, 1, sizeof rp - sizeof rp.header);
    rp.source = HXFR_POOL_SOURCE_REGION;
    rp.size = 1ULL << 33;
    strcpy(rp.region, "ivshmem-guest3");
    out(&rp, sizeof rp);

    hxfr_pool_response pr;
    memset(&pr, 0, sizeof pr);
    header(&pr.header, HXFR_MSG_POOL_RESP, 0, 1, sizeof pr - sizeof pr.header);
    pr.pool_id = 0x80000001u;
    pr.kind = HXFR_POOL_KIND_REGION;
    pr.size = 1ULL << 33;
    out(&pr, sizeof pr);

    hxfr_unregister_pool up;
    memset(&up, 0, sizeof up);
    header(&up.header, HXFR_MSG_UNREGISTER_POOL, 0, 1, sizeof up - sizeof up.header);
    up.pool_id = 0x80000001u;
    out(&up, sizeof up);

    hxfr_frame_ref ref;
    memset(&ref, 0, sizeof ref);
    header(&ref.header, HXFR_MSG_FRAME_REF, 0, 1, sizeof ref - sizeof ref.header);
    ref.pool_id = 0x80000001u;
    ref.format = HXFR_FORMAT_I420;
    ref.width = 1920;
    ref.height = 1080;
    ref.flags = HXFR_REF_FLAG_KEYFRAME;
    ref.offset = 3ULL << 32;
    ref.plane_offset[0] = 0;
    ref.plane_offset[1] = 2048u * 1080;
    ref.plane_offset[2] = 2048u * 1080 + 1024u * 540;
    ref.stride[0] = 2048;
    ref.stride[1] = 1024;
    ref.stride[2] = 1024;
    ref.pts = -7;
    ref.duration = 16666667;
    out(&ref, sizeof ref);
    return 0;
}

static int in(void *p, size_t n) {
    return fread(p, 1, n, stdin) == n;
}

/* Reads the rest of a struct whose header is already in. */
#define BODY(var) do { \
        if (!in((char *)&(var) + sizeof(hxfr_header), sizeof(var) - sizeof(hxfr_header))) { \
            fprintf(stderr, "truncated body\n"); return 3; } \
    } while (0)

static int read_all(void) {
    union {
        hxfr_header h;
        hxfr_frame_request fr;
        hxfr_frame_response rsp;
        hxfr_config_request cfg;
        hxfr_enable_scanout en;
        hxfr_disable_scanout dis;
        hxfr_scanout_response sr;
        hxfr_subscribe sub;
        hxfr_subscribe_response subr;
        hxfr_error err;
        hxfr_hello hello;
        hxfr_hello_response hr;
        hxfr_register_pool rp;
        hxfr_pool_response pr;
        hxfr_unregister_pool up;
        hxfr_frame_ref ref;
    } m;
    while (in(&m.h, sizeof m.h)) {
        printf("header magic=%" PRIu32 " type=%u flags=%u session_id=%u payload_size=%" PRIu32 "\n",
               m.h.magic, m.h.type, m.h.flags, m.h.session_id, m.h.payload_size);
        switch (m.h.type) {
        case HXFR_MSG_FRAME_REQUEST: {
            BODY(m.fr);
            printf("frame_request resource_id=%" PRIu32 " width=%" PRIu32 " height=%" PRIu32 " format=%" PRIu32
                   " stride=%" PRIu32 " pts=%" PRId64 " duration=%" PRId64 " force_keyframe=%u\n",
                   m.fr.resource_id, m.fr.width, m.fr.height, m.fr.format, m.fr.stride, m.fr.pts, m.fr.duration,
                   m.fr.force_keyframe);
            uint32_t n = m.h.payload_size - (sizeof m.fr - sizeof m.h);
            unsigned sum = 0;
            for (uint32_t i = 0; i < n; i++) { uint8_t b; if (!in(&b, 1)) return 3; sum += b; }
            printf("pixels bytes=%" PRIu32 " sum=%u\n", n, sum);
            break;
        }
        case HXFR_MSG_FRAME_RESPONSE: {
            BODY(m.rsp);
            printf("frame_response pts=%" PRId64 " dts=%" PRId64 " is_keyframe=%u nal_count=%" PRIu32 "\n",
                   m.rsp.pts, m.rsp.dts, m.rsp.is_keyframe, m.rsp.nal_count);
            for (uint32_t k = 0; k < m.rsp.nal_count; k++) {
                hxfr_nal_entry e;
                if (!in(&e, sizeof e)) return 3;
                printf("nal size=%" PRIu32 " bytes=", e.size);
                for (uint32_t i = 0; i < e.size; i++) { uint8_t b; if (!in(&b, 1)) return 3; printf("%02x", b); }
                printf("\n");
            }
            break;
        }
        case HXFR_MSG_CONFIG_REQ:
            BODY(m.cfg);
            printf("config_request width=%" PRIu32 " height=%" PRIu32 " bitrate=%" PRIu32 " framerate_num=%" PRIu32
                   " framerate_den=%" PRIu32 " profile=%u level=%u realtime=%u\n",
                   m.cfg.width, m.cfg.height, m.cfg.bitrate, m.cfg.framerate_num, m.cfg.framerate_den,
                   m.cfg.profile, m.cfg.level, m.cfg.realtime);
            break;
        case HXFR_MSG_ENABLE_SCANOUT:
            BODY(m.en);
            printf("enable_scanout scanout_id=%" PRIu32 " width=%" PRIu32 " height=%" PRIu32 " refresh_rate=%" PRIu32 "\n",
                   m.en.scanout_id, m.en.width, m.en.height, m.en.refresh_rate);
            break;
        case HXFR_MSG_DISABLE_SCANOUT:
            BODY(m.dis);
            printf("disable_scanout scanout_id=%" PRIu32 "\n", m.dis.scanout_id);
            break;
        case HXFR_MSG_SCANOUT_RESP:
            BODY(m.sr);
            printf("scanout_response scanout_id=%" PRIu32 " success=%" PRIu32 " connector_name=%.*s\n",
                   m.sr.scanout_id, m.sr.success, HXFR_CONNECTOR_NAME_LEN, m.sr.connector_name);
            break;
        case HXFR_MSG_SUBSCRIBE:
            BODY(m.sub);
            printf("subscribe scanout_id=%" PRIu32 "\n", m.sub.scanout_id);
            break;
        case HXFR_MSG_SUBSCRIBE_RESP:
            BODY(m.subr);
            printf("subscribe_response scanout_id=%" PRIu32 " success=%" PRIu32 "\n", m.subr.scanout_id, m.subr.success);
            break;
        case HXFR_MSG_ERROR:
            BODY(m.err);
            printf("error error_code=%" PRId32 " message=%.*s terminated=%d\n", m.err.error_code,
                   HXFR_ERROR_MESSAGE_LEN, m.err.message, memchr(m.err.message, 0, HXFR_ERROR_MESSAGE_LEN) != NULL);
            break;
        case HXFR_MSG_HELLO:
            BODY(m.hello);
            printf("hello version=%" PRIu32 " capabilities=%" PRIu32 "\n", m.hello.version, m.hello.capabilities);
            break;
        case HXFR_MSG_HELLO_RESP:
            BODY(m.hr);
            printf("hello_response version=%" PRIu32 " capabilities=%" PRIu32 " max_payload=%" PRIu32
                   " max_in_flight=%" PRIu32 " max_dimension=%" PRIu32 " max_pools=%" PRIu32 " format_count=%" PRIu32
                   " formats=", m.hr.version, m.hr.capabilities, m.hr.max_payload, m.hr.max_in_flight,
                   m.hr.max_dimension, m.hr.max_pools, m.hr.format_count);
            for (int i = 0; i < HXFR_MAX_FORMATS; i++) printf("%s%" PRIu32, i ? "," : "", m.hr.formats[i]);
            printf(" encoder=%.*s\n", HXFR_ENCODER_NAME_LEN, m.hr.encoder);
            break;
        case HXFR_MSG_REGISTER_POOL:
            BODY(m.rp);
            printf("register_pool source=%" PRIu32 " flags=%" PRIu32 " size=%" PRIu64 " region=%.*s\n",
                   m.rp.source, m.rp.flags, m.rp.size, HXFR_REGION_NAME_LEN, m.rp.region);
            break;
        case HXFR_MSG_POOL_RESP:
            BODY(m.pr);
            printf("pool_response pool_id=%" PRIu32 " kind=%" PRIu32 " size=%" PRIu64 "\n", m.pr.pool_id, m.pr.kind,
                   m.pr.size);
            break;
        case HXFR_MSG_UNREGISTER_POOL:
            BODY(m.up);
            printf("unregister_pool pool_id=%" PRIu32 "\n", m.up.pool_id);
            break;
        case HXFR_MSG_FRAME_REF:
            BODY(m.ref);
            printf("frame_ref pool_id=%" PRIu32 " format=%" PRIu32 " width=%" PRIu32 " height=%" PRIu32 " flags=%" PRIu32
                   " offset=%" PRIu64 " planes=", m.ref.pool_id, m.ref.format, m.ref.width, m.ref.height, m.ref.flags,
                   m.ref.offset);
            for (int i = 0; i < HXFR_MAX_PLANES; i++) {
                printf("%s%" PRIu32 "/%" PRIu32, i ? "," : "", m.ref.plane_offset[i], m.ref.stride[i]);
            }
            printf(" pts=%" PRId64 " duration=%" PRId64 "\n", m.ref.pts, m.ref.duration);
            break;
        default:
            for (uint32_t i = 0; i < m.h.payload_size; i++) { uint8_t b; if (!in(&b, 1)) return 3; }
            break;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "write") == 0) return write_all();
    if (argc == 2 && strcmp(argv[1], "read") == 0) return read_all();
    fprintf(stderr, "usage: %s write|read\n", argv[0]);
    return 1;
}

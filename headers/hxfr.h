/*
 * hxfr.h — the HXFR frame export wire protocol, as spoken by vsockenc (guest) and framebridge (host).
 *
 * The source of truth for every layout in dev.framebridge.protocol: native-build/probes/hxfr.c
 * prints each size, offset and constant below, and the Java test suite fails on any difference.
 *
 * All integers are little-endian on the wire. All structs are packed: no padding anywhere.
 */
#ifndef HXFR_H
#define HXFR_H

#include <stdint.h>

#define HXFR_MAGIC              0x52465848u   /* bytes 48 58 46 52, "HXFR" */

/* message types */
#define HXFR_MSG_FRAME_REQUEST   0x01
#define HXFR_MSG_FRAME_RESPONSE  0x02
#define HXFR_MSG_KEYFRAME_REQ    0x03
#define HXFR_MSG_CONFIG_REQ      0x04
#define HXFR_MSG_CONFIG_RESP     0x05
#define HXFR_MSG_PING            0x10
#define HXFR_MSG_PONG            0x11
#define HXFR_MSG_ENABLE_SCANOUT  0x20
#define HXFR_MSG_DISABLE_SCANOUT 0x21
#define HXFR_MSG_SCANOUT_RESP    0x22
#define HXFR_MSG_SUBSCRIBE       0x30
#define HXFR_MSG_SUBSCRIBE_RESP  0x31
#define HXFR_MSG_ERROR           0xFF

/* framebridge extension messages (0x40-0x7F): used only after a HELLO/HELLO_RESP exchange; a client that never
 * sends HELLO gets exactly the behaviour above (these types are skipped unanswered, as unknown types always were).
 * Specified in docs/PROTOCOL-EXTENSIONS.md. */
#define HXFR_MSG_HELLO           0x40   /* client -> host: version + capabilities wanted; answered by HELLO_RESP */
#define HXFR_MSG_HELLO_RESP      0x41   /* host -> client: version, capabilities granted, limits, formats, encoder */
#define HXFR_MSG_REGISTER_POOL   0x42   /* client -> host: a buffer pool (fd by SCM_RIGHTS, or a host region by name) */
#define HXFR_MSG_POOL_RESP       0x43   /* host -> client: the pool id (answer to REGISTER_POOL and UNREGISTER_POOL) */
#define HXFR_MSG_UNREGISTER_POOL 0x44   /* client -> host: the pool is no longer used; answered by POOL_RESP */
#define HXFR_MSG_FRAME_REF       0x45   /* client -> host: a frame by reference (pool, offset, planes); answered like
                                         * FRAME_REQUEST: FRAME_RESPONSE or ERROR */

/* header flags */
#define HXFR_FLAG_PIXEL_DATA     0x01

/* error codes */
#define HXFR_OK                  0
#define HXFR_ERR_INVALID_MSG     (-1)
#define HXFR_ERR_RESOURCE_NOT_FOUND (-2)
#define HXFR_ERR_NOT_METAL_TEXTURE  (-3)
#define HXFR_ERR_NO_IOSURFACE    (-4)
#define HXFR_ERR_ENCODE_FAILED   (-5)
#define HXFR_ERR_NOT_CONFIGURED  (-6)
#define HXFR_ERR_LIMIT           (-7)   /* extension: a per-connection limit is reached (pools) */
#define HXFR_ERR_POOL_REFUSED    (-8)   /* extension: the buffer cannot be a pool (unsealed memfd, not mappable) */
#define HXFR_ERR_INTERNAL        (-99)

/* pixel formats: DRM fourcc codes */
#define HXFR_FOURCC(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define HXFR_FORMAT_BGRA8888     HXFR_FOURCC('A', 'R', '2', '4')   /* DRM ARGB8888: B,G,R,A in memory */
#define HXFR_FORMAT_RGBA8888     HXFR_FOURCC('A', 'B', '2', '4')   /* DRM ABGR8888: R,G,B,A in memory */
#define HXFR_FORMAT_NV12         HXFR_FOURCC('N', 'V', '1', '2')
#define HXFR_FORMAT_I420         HXFR_FOURCC('Y', 'U', '1', '2')   /* FRAME_REF only: Y, U, V planes */

/* limits of the reference host */
#define HXFR_MAX_PAYLOAD         (64u * 1024u * 1024u)
#define HXFR_ERROR_MESSAGE_LEN   256
#define HXFR_CONNECTOR_NAME_LEN  64

/* extension constants */
#define HXFR_EXT_VERSION         1
#define HXFR_CAP_POOL_FD         0x1u   /* REGISTER_POOL with an fd passed by SCM_RIGHTS (Unix sockets only) */
#define HXFR_CAP_POOL_REGION     0x2u   /* REGISTER_POOL naming a region the host mapped at start (any transport) */
#define HXFR_CAP_FRAME_REF       0x4u   /* FRAME_REF */
#define HXFR_POOL_SOURCE_FD      1      /* REGISTER_POOL.source: the fd attached to the message */
#define HXFR_POOL_SOURCE_REGION  2      /* REGISTER_POOL.source: the host region named in REGISTER_POOL.region */
#define HXFR_POOL_KIND_RELEASED  0      /* POOL_RESP.kind after UNREGISTER_POOL */
#define HXFR_POOL_KIND_MEMFD     1
#define HXFR_POOL_KIND_DMABUF    2
#define HXFR_POOL_KIND_REGION    3
#define HXFR_REF_FLAG_KEYFRAME   0x1u   /* FRAME_REF.flags: make this frame an IDR */
#define HXFR_MAX_PLANES          4
#define HXFR_MAX_FORMATS         8
#define HXFR_REGION_NAME_LEN     32
#define HXFR_ENCODER_NAME_LEN    32

/* field defaults seen in the field */
#define HXFR_DEFAULT_VSOCK_PORT  5000
#define HXFR_DEFAULT_TCP_PORT    15937

#pragma pack(push, 1)

typedef struct hxfr_header {
    uint32_t magic;
    uint8_t  type;
    uint8_t  flags;
    uint16_t session_id;
    uint32_t payload_size;          /* bytes after this header */
} hxfr_header;

typedef struct hxfr_frame_request {
    hxfr_header header;
    uint32_t resource_id;           /* virtio-gpu resource; 0 = pixels follow */
    uint32_t width;
    uint32_t height;
    uint32_t format;                /* HXFR_FORMAT_* */
    uint32_t stride;                /* bytes per row of plane 0 */
    int64_t  pts;                   /* ns */
    int64_t  duration;              /* ns */
    uint8_t  force_keyframe;
    uint8_t  reserved[7];
} hxfr_frame_request;               /* + payload_size - 44 bytes of pixels when HXFR_FLAG_PIXEL_DATA */

typedef struct hxfr_frame_response {
    hxfr_header header;
    int64_t  pts;
    int64_t  dts;
    uint8_t  is_keyframe;
    uint8_t  reserved[3];
    uint32_t nal_count;
} hxfr_frame_response;              /* + nal_count × (uint32_t size, size bytes of Annex-B) */

typedef struct hxfr_nal_entry {
    uint32_t size;
} hxfr_nal_entry;                   /* + size bytes */

typedef struct hxfr_config_request {
    hxfr_header header;
    uint32_t width;
    uint32_t height;
    uint32_t bitrate;               /* bits/s */
    uint32_t framerate_num;
    uint32_t framerate_den;
    uint8_t  profile;               /* 66 baseline, 77 main, 100 high */
    uint8_t  level;                 /* × 10 */
    uint8_t  realtime;
    uint8_t  reserved[5];
} hxfr_config_request;

typedef struct hxfr_enable_scanout {
    hxfr_header header;
    uint32_t scanout_id;            /* 1..15 */
    uint32_t width;
    uint32_t height;
    uint32_t refresh_rate;          /* Hz */
} hxfr_enable_scanout;

typedef struct hxfr_disable_scanout {
    hxfr_header header;
    uint32_t scanout_id;
} hxfr_disable_scanout;

typedef struct hxfr_scanout_response {
    hxfr_header header;
    uint32_t scanout_id;
    uint32_t success;
    char     connector_name[HXFR_CONNECTOR_NAME_LEN];
} hxfr_scanout_response;

typedef struct hxfr_subscribe {
    hxfr_header header;
    uint32_t scanout_id;
} hxfr_subscribe;

typedef struct hxfr_subscribe_response {
    hxfr_header header;             /* session_id = scanout_id */
    uint32_t scanout_id;
    uint32_t success;
} hxfr_subscribe_response;

typedef struct hxfr_error {
    hxfr_header header;
    int32_t  error_code;
    char     message[HXFR_ERROR_MESSAGE_LEN];   /* NUL-terminated, NUL-padded */
} hxfr_error;

/* ---- extension messages (after HELLO) ---- */

typedef struct hxfr_hello {
    hxfr_header header;
    uint32_t version;               /* HXFR_EXT_VERSION */
    uint32_t capabilities;          /* HXFR_CAP_* the client wants */
    uint8_t  reserved[8];
} hxfr_hello;

typedef struct hxfr_hello_response {
    hxfr_header header;
    uint32_t version;               /* the host's HXFR_EXT_VERSION */
    uint32_t capabilities;          /* HXFR_CAP_* granted on this connection (wanted and possible here) */
    uint32_t max_payload;           /* largest payload_size accepted */
    uint32_t max_in_flight;         /* requests in flight per connection before the host stops reading */
    uint32_t max_dimension;         /* largest width or height */
    uint32_t max_pools;             /* pools registered at once per connection */
    uint32_t format_count;          /* entries used in formats */
    uint32_t formats[HXFR_MAX_FORMATS];         /* HXFR_FORMAT_* accepted by FRAME_REF */
    char     encoder[HXFR_ENCODER_NAME_LEN];    /* the encoder chosen, e.g. "x264"; NUL-terminated, NUL-padded */
    uint8_t  reserved[8];
} hxfr_hello_response;

typedef struct hxfr_register_pool {
    hxfr_header header;
    uint32_t source;                /* HXFR_POOL_SOURCE_* */
    uint32_t flags;                 /* 0 */
    uint32_t reserved;
    uint64_t size;                  /* bytes of the object the client addresses; 0 = all of it */
    char     region[HXFR_REGION_NAME_LEN];      /* HXFR_POOL_SOURCE_REGION: serve --region NAME; NUL-padded */
} hxfr_register_pool;               /* HXFR_POOL_SOURCE_FD: one fd attached with SCM_RIGHTS to these bytes */

typedef struct hxfr_pool_response {
    hxfr_header header;
    uint32_t pool_id;               /* non-zero; names the pool in FRAME_REF and UNREGISTER_POOL */
    uint32_t kind;                  /* HXFR_POOL_KIND_*; HXFR_POOL_KIND_RELEASED answers UNREGISTER_POOL */
    uint32_t reserved;
    uint64_t size;                  /* bytes mapped (0 once released) */
} hxfr_pool_response;

typedef struct hxfr_unregister_pool {
    hxfr_header header;
    uint32_t pool_id;
    uint32_t reserved;
} hxfr_unregister_pool;

typedef struct hxfr_frame_ref {
    hxfr_header header;
    uint32_t pool_id;
    uint32_t format;                /* HXFR_FORMAT_* */
    uint32_t width;
    uint32_t height;
    uint32_t flags;                 /* HXFR_REF_FLAG_* */
    uint64_t offset;                /* the frame's first byte in the pool; plane offsets are relative to it */
    uint32_t plane_offset[HXFR_MAX_PLANES];     /* each plane's start after offset; unused planes 0 */
    uint32_t stride[HXFR_MAX_PLANES];           /* bytes per row of each plane; unused planes 0 */
    int64_t  pts;                   /* ns, echoed in FRAME_RESPONSE */
    int64_t  duration;              /* ns */
} hxfr_frame_ref;                   /* the host reads the pool from this request until its answer, never after */

#pragma pack(pop)

#endif /* HXFR_H */

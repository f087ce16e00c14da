/* Facts of headers/hxfr.h, for dev.framebridge.protocol. Build: cc -I headers -I native-build */
#include "probe.h"
#include "hxfr.h"

int main(void) {
    CONST(HXFR_MAGIC);
    CONST(HXFR_MSG_FRAME_REQUEST);
    CONST(HXFR_MSG_FRAME_RESPONSE);
    CONST(HXFR_MSG_KEYFRAME_REQ);
    CONST(HXFR_MSG_CONFIG_REQ);
    CONST(HXFR_MSG_CONFIG_RESP);
    CONST(HXFR_MSG_PING);
    CONST(HXFR_MSG_PONG);
    CONST(HXFR_MSG_ENABLE_SCANOUT);
    CONST(HXFR_MSG_DISABLE_SCANOUT);
    CONST(HXFR_MSG_SCANOUT_RESP);
    CONST(HXFR_MSG_SUBSCRIBE);
    CONST(HXFR_MSG_SUBSCRIBE_RESP);
    CONST(HXFR_MSG_ERROR);
    CONST(HXFR_MSG_HELLO);
    CONST(HXFR_MSG_HELLO_RESP);
    CONST(HXFR_MSG_REGISTER_POOL);
    CONST(HXFR_MSG_POOL_RESP);
    CONST(HXFR_MSG_UNREGISTER_POOL);
    CONST(HXFR_MSG_FRAME_REF);
    CONST(HXFR_FLAG_PIXEL_DATA);
    CONST(HXFR_OK);
    CONST(HXFR_ERR_INVALID_MSG);
    CONST(HXFR_ERR_RESOURCE_NOT_FOUND);
    CONST(HXFR_ERR_NOT_METAL_TEXTURE);
    CONST(HXFR_ERR_NO_IOSURFACE);
    CONST(HXFR_ERR_ENCODE_FAILED);
    CONST(HXFR_ERR_NOT_CONFIGURED);
    CONST(HXFR_ERR_LIMIT);
    CONST(HXFR_ERR_POOL_REFUSED);
    CONST(HXFR_ERR_INTERNAL);
    CONST(HXFR_FORMAT_BGRA8888);
    CONST(HXFR_FORMAT_RGBA8888);
    CONST(HXFR_FORMAT_NV12);
    CONST(HXFR_FORMAT_I420);
    CONST(HXFR_MAX_PAYLOAD);
    CONST(HXFR_ERROR_MESSAGE_LEN);
    CONST(HXFR_CONNECTOR_NAME_LEN);
    CONST(HXFR_DEFAULT_VSOCK_PORT);
    CONST(HXFR_DEFAULT_TCP_PORT);
    CONST(HXFR_EXT_VERSION);
    CONST(HXFR_CAP_POOL_FD);
    CONST(HXFR_CAP_POOL_REGION);
    CONST(HXFR_CAP_FRAME_REF);
    CONST(HXFR_POOL_SOURCE_FD);
    CONST(HXFR_POOL_SOURCE_REGION);
    CONST(HXFR_POOL_KIND_RELEASED);
    CONST(HXFR_POOL_KIND_MEMFD);
    CONST(HXFR_POOL_KIND_DMABUF);
    CONST(HXFR_POOL_KIND_REGION);
    CONST(HXFR_REF_FLAG_KEYFRAME);
    CONST(HXFR_MAX_PLANES);
    CONST(HXFR_MAX_FORMATS);
    CONST(HXFR_REGION_NAME_LEN);
    CONST(HXFR_ENCODER_NAME_LEN);

    SIZE(hxfr_header, "hxfr_header");
    FIELD(hxfr_header, "hxfr_header", magic);
    FIELD(hxfr_header, "hxfr_header", type);
    FIELD(hxfr_header, "hxfr_header", flags);
    FIELD(hxfr_header, "hxfr_header", session_id);
    FIELD(hxfr_header, "hxfr_header", payload_size);

    SIZE(hxfr_frame_request, "hxfr_frame_request");
    FIELD(hxfr_frame_request, "hxfr_frame_request", header);
    FIELD(hxfr_frame_request, "hxfr_frame_request", resource_id);
    FIELD(hxfr_frame_request, "hxfr_frame_request", width);
    FIELD(hxfr_frame_request, "hxfr_frame_request", height);
    FIELD(hxfr_frame_request, "hxfr_frame_request", format);
    FIELD(hxfr_frame_request, "hxfr_frame_request", stride);
    FIELD(hxfr_frame_request, "hxfr_frame_request", pts);
    FIELD(hxfr_frame_request, "hxfr_frame_request", duration);
    FIELD(hxfr_frame_request, "hxfr_frame_request", force_keyframe);
    FIELD(hxfr_frame_request, "hxfr_frame_request", reserved);

    SIZE(hxfr_frame_response, "hxfr_frame_response");
    FIELD(hxfr_frame_response, "hxfr_frame_response", header);
    FIELD(hxfr_frame_response, "hxfr_frame_response", pts);
    FIELD(hxfr_frame_response, "hxfr_frame_response", dts);
    FIELD(hxfr_frame_response, "hxfr_frame_response", is_keyframe);
    FIELD(hxfr_frame_response, "hxfr_frame_response", reserved);
    FIELD(hxfr_frame_response, "hxfr_frame_response", nal_count);

    SIZE(hxfr_nal_entry, "hxfr_nal_entry");
    FIELD(hxfr_nal_entry, "hxfr_nal_entry", size);

    SIZE(hxfr_config_request, "hxfr_config_request");
    FIELD(hxfr_config_request, "hxfr_config_request", header);
    FIELD(hxfr_config_request, "hxfr_config_request", width);
    FIELD(hxfr_config_request, "hxfr_config_request", height);
    FIELD(hxfr_config_request, "hxfr_config_request", bitrate);
    FIELD(hxfr_config_request, "hxfr_config_request", framerate_num);
    FIELD(hxfr_config_request, "hxfr_config_request", framerate_den);
    FIELD(hxfr_config_request, "hxfr_config_request", profile);
    FIELD(hxfr_config_request, "hxfr_config_request", level);
    FIELD(hxfr_config_request, "hxfr_config_request", realtime);
    FIELD(hxfr_config_request, "hxfr_config_request", reserved);

    SIZE(hxfr_enable_scanout, "hxfr_enable_scanout");
    FIELD(hxfr_enable_scanout, "hxfr_enable_scanout", header);
    FIELD(hxfr_enable_scanout, "hxfr_enable_scanout", scanout_id);
    FIELD(hxfr_enable_scanout, "hxfr_enable_scanout", width);
    FIELD(hxfr_enable_scanout, "hxfr_enable_scanout", height);
    FIELD(hxfr_enable_scanout, "hxfr_enable_scanout", refresh_rate);

    SIZE(hxfr_disable_scanout, "hxfr_disable_scanout");
    FIELD(hxfr_disable_scanout, "hxfr_disable_scanout", header);
    FIELD(hxfr_disable_scanout, "hxfr_disable_scanout", scanout_id);

    SIZE(hxfr_scanout_response, "hxfr_scanout_response");
    FIELD(hxfr_scanout_response, "hxfr_scanout_response", header);
    FIELD(hxfr_scanout_response, "hxfr_scanout_response", scanout_id);
    FIELD(hxfr_scanout_response, "hxfr_scanout_response", success);
    FIELD(hxfr_scanout_response, "hxfr_scanout_response", connector_name);

    SIZE(hxfr_subscribe, "hxfr_subscribe");
    FIELD(hxfr_subscribe, "hxfr_subscribe", header);
    FIELD(hxfr_subscribe, "hxfr_subscribe", scanout_id);

    SIZE(hxfr_subscribe_response, "hxfr_subscribe_response");
    FIELD(hxfr_subscribe_response, "hxfr_subscribe_response", header);
    FIELD(hxfr_subscribe_response, "hxfr_subscribe_response", scanout_id);
    FIELD(hxfr_subscribe_response, "hxfr_subscribe_response", success);

    SIZE(hxfr_error, "hxfr_error");
    FIELD(hxfr_error, "hxfr_error", header);
    FIELD(hxfr_error, "hxfr_error", error_code);
    FIELD(hxfr_error, "hxfr_error", message);

    SIZE(hxfr_hello, "hxfr_hello");
    FIELD(hxfr_hello, "hxfr_hello", header);
    FIELD(hxfr_hello, "hxfr_hello", version);
    FIELD(hxfr_hello, "hxfr_hello", capabilities);
    FIELD(hxfr_hello, "hxfr_hello", reserved);

    SIZE(hxfr_hello_response, "hxfr_hello_response");
    FIELD(hxfr_hello_response, "hxfr_hello_response", header);
    FIELD(hxfr_hello_response, "hxfr_hello_response", version);
    FIELD(hxfr_hello_response, "hxfr_hello_response", capabilities);
    FIELD(hxfr_hello_response, "hxfr_hello_response", max_payload);
    FIELD(hxfr_hello_response, "hxfr_hello_response", max_in_flight);
    FIELD(hxfr_hello_response, "hxfr_hello_response", max_dimension);
    FIELD(hxfr_hello_response, "hxfr_hello_response", max_pools);
    FIELD(hxfr_hello_response, "hxfr_hello_response", format_count);
    FIELD(hxfr_hello_response, "hxfr_hello_response", formats);
    FIELD(hxfr_hello_response, "hxfr_hello_response", encoder);
    FIELD(hxfr_hello_response, "hxfr_hello_response", reserved);

    SIZE(hxfr_register_pool, "hxfr_register_pool");
    FIELD(hxfr_register_pool, "hxfr_register_pool", header);
    FIELD(hxfr_register_pool, "hxfr_register_pool", source);
    FIELD(hxfr_register_pool, "hxfr_register_pool", flags);
    FIELD(hxfr_register_pool, "hxfr_register_pool", reserved);
    FIELD(hxfr_register_pool, "hxfr_register_pool", size);
    FIELD(hxfr_register_pool, "hxfr_register_pool", region);

    SIZE(hxfr_pool_response, "hxfr_pool_response");
    FIELD(hxfr_pool_response, "hxfr_pool_response", header);
    FIELD(hxfr_pool_response, "hxfr_pool_response", pool_id);
    FIELD(hxfr_pool_response, "hxfr_pool_response", kind);
    FIELD(hxfr_pool_response, "hxfr_pool_response", reserved);
    FIELD(hxfr_pool_response, "hxfr_pool_response", size);

    SIZE(hxfr_unregister_pool, "hxfr_unregister_pool");
    FIELD(hxfr_unregister_pool, "hxfr_unregister_pool", header);
    FIELD(hxfr_unregister_pool, "hxfr_unregister_pool", pool_id);
    FIELD(hxfr_unregister_pool, "hxfr_unregister_pool", reserved);

    SIZE(hxfr_frame_ref, "hxfr_frame_ref");
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", header);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", pool_id);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", format);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", width);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", height);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", flags);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", offset);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", plane_offset);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", stride);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", pts);
    FIELD(hxfr_frame_ref, "hxfr_frame_ref", duration);
    return 0;
}

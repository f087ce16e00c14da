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
    CONST(HXFR_FLAG_PIXEL_DATA);
    CONST(HXFR_OK);
    CONST(HXFR_ERR_INVALID_MSG);
    CONST(HXFR_ERR_RESOURCE_NOT_FOUND);
    CONST(HXFR_ERR_NOT_METAL_TEXTURE);
    CONST(HXFR_ERR_NO_IOSURFACE);
    CONST(HXFR_ERR_ENCODE_FAILED);
    CONST(HXFR_ERR_NOT_CONFIGURED);
    CONST(HXFR_ERR_INTERNAL);
    CONST(HXFR_FORMAT_BGRA8888);
    CONST(HXFR_FORMAT_RGBA8888);
    CONST(HXFR_FORMAT_NV12);
    CONST(HXFR_MAX_PAYLOAD);
    CONST(HXFR_ERROR_MESSAGE_LEN);
    CONST(HXFR_CONNECTOR_NAME_LEN);
    CONST(HXFR_DEFAULT_VSOCK_PORT);
    CONST(HXFR_DEFAULT_TCP_PORT);

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
    return 0;
}

/* Facts of <drm/drm.h> and <drm/drm_mode.h> (libdrm-dev's copy of the kernel uapi), for dev.framebridge.ffi.Drm.
 * Build: cc -I native-build $(pkg-config --cflags libdrm) native-build/probes/drm.c */
#include "probe.h"
#include <fcntl.h>
#include <drm.h>
#include <drm_mode.h>

int main(void) {
    CONST(DRM_IOCTL_BASE);
    CONST(DRM_COMMAND_BASE);
    CONST(DRM_CLOEXEC);
    CONST(DRM_RDWR);
    CONST(DRM_DISPLAY_MODE_LEN);

    CONST(DRM_IOCTL_VERSION);
    CONST(DRM_IOCTL_GEM_CLOSE);
    CONST(DRM_IOCTL_SET_MASTER);
    CONST(DRM_IOCTL_PRIME_HANDLE_TO_FD);
    CONST(DRM_IOCTL_PRIME_FD_TO_HANDLE);
    CONST(DRM_IOCTL_MODE_GETRESOURCES);
    CONST(DRM_IOCTL_MODE_SETCRTC);
    CONST(DRM_IOCTL_MODE_GETENCODER);
    CONST(DRM_IOCTL_MODE_GETCONNECTOR);
    CONST(DRM_IOCTL_MODE_ADDFB);
    CONST(DRM_IOCTL_MODE_RMFB);
    CONST(DRM_IOCTL_MODE_DIRTYFB);
    CONST(DRM_IOCTL_MODE_CREATE_DUMB);
    CONST(DRM_IOCTL_MODE_MAP_DUMB);
    CONST(DRM_IOCTL_MODE_DESTROY_DUMB);

    SIZE(struct drm_version, "drm_version");
    FIELD(struct drm_version, "drm_version", version_major);
    FIELD(struct drm_version, "drm_version", version_minor);
    FIELD(struct drm_version, "drm_version", version_patchlevel);
    FIELD(struct drm_version, "drm_version", name_len);
    FIELD(struct drm_version, "drm_version", name);
    FIELD(struct drm_version, "drm_version", date_len);
    FIELD(struct drm_version, "drm_version", date);
    FIELD(struct drm_version, "drm_version", desc_len);
    FIELD(struct drm_version, "drm_version", desc);

    SIZE(struct drm_gem_close, "drm_gem_close");
    FIELD(struct drm_gem_close, "drm_gem_close", handle);
    FIELD(struct drm_gem_close, "drm_gem_close", pad);

    SIZE(struct drm_prime_handle, "drm_prime_handle");
    FIELD(struct drm_prime_handle, "drm_prime_handle", handle);
    FIELD(struct drm_prime_handle, "drm_prime_handle", flags);
    FIELD(struct drm_prime_handle, "drm_prime_handle", fd);

    SIZE(struct drm_mode_create_dumb, "drm_mode_create_dumb");
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", height);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", width);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", bpp);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", flags);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", handle);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", pitch);
    FIELD(struct drm_mode_create_dumb, "drm_mode_create_dumb", size);

    SIZE(struct drm_mode_map_dumb, "drm_mode_map_dumb");
    FIELD(struct drm_mode_map_dumb, "drm_mode_map_dumb", handle);
    FIELD(struct drm_mode_map_dumb, "drm_mode_map_dumb", pad);
    FIELD(struct drm_mode_map_dumb, "drm_mode_map_dumb", offset);

    SIZE(struct drm_mode_destroy_dumb, "drm_mode_destroy_dumb");
    FIELD(struct drm_mode_destroy_dumb, "drm_mode_destroy_dumb", handle);

    SIZE(struct drm_mode_card_res, "drm_mode_card_res");
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", fb_id_ptr);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", crtc_id_ptr);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", connector_id_ptr);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", encoder_id_ptr);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", count_fbs);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", count_crtcs);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", count_connectors);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", count_encoders);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", min_width);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", max_width);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", min_height);
    FIELD(struct drm_mode_card_res, "drm_mode_card_res", max_height);

    SIZE(struct drm_mode_modeinfo, "drm_mode_modeinfo");
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", clock);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", hdisplay);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", hsync_start);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", hsync_end);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", htotal);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", hskew);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vdisplay);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vsync_start);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vsync_end);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vtotal);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vscan);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", vrefresh);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", flags);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", type);
    FIELD(struct drm_mode_modeinfo, "drm_mode_modeinfo", name);

    SIZE(struct drm_mode_get_connector, "drm_mode_get_connector");
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", encoders_ptr);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", modes_ptr);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", props_ptr);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", prop_values_ptr);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", count_modes);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", count_props);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", count_encoders);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", encoder_id);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", connector_id);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", connector_type);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", connector_type_id);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", connection);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", mm_width);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", mm_height);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", subpixel);
    FIELD(struct drm_mode_get_connector, "drm_mode_get_connector", pad);

    SIZE(struct drm_mode_get_encoder, "drm_mode_get_encoder");
    FIELD(struct drm_mode_get_encoder, "drm_mode_get_encoder", encoder_id);
    FIELD(struct drm_mode_get_encoder, "drm_mode_get_encoder", encoder_type);
    FIELD(struct drm_mode_get_encoder, "drm_mode_get_encoder", crtc_id);
    FIELD(struct drm_mode_get_encoder, "drm_mode_get_encoder", possible_crtcs);
    FIELD(struct drm_mode_get_encoder, "drm_mode_get_encoder", possible_clones);

    SIZE(struct drm_mode_crtc, "drm_mode_crtc");
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", set_connectors_ptr);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", count_connectors);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", crtc_id);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", fb_id);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", x);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", y);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", gamma_size);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", mode_valid);
    FIELD(struct drm_mode_crtc, "drm_mode_crtc", mode);

    SIZE(struct drm_mode_fb_cmd, "drm_mode_fb_cmd");
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", fb_id);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", width);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", height);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", pitch);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", bpp);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", depth);
    FIELD(struct drm_mode_fb_cmd, "drm_mode_fb_cmd", handle);

    SIZE(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd");
    FIELD(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd", fb_id);
    FIELD(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd", flags);
    FIELD(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd", color);
    FIELD(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd", num_clips);
    FIELD(struct drm_mode_fb_dirty_cmd, "drm_mode_fb_dirty_cmd", clips_ptr);

    SIZE(struct drm_clip_rect, "drm_clip_rect");
    FIELD(struct drm_clip_rect, "drm_clip_rect", x1);
    FIELD(struct drm_clip_rect, "drm_clip_rect", y1);
    FIELD(struct drm_clip_rect, "drm_clip_rect", x2);
    FIELD(struct drm_clip_rect, "drm_clip_rect", y2);
    return 0;
}

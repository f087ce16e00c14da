/* Facts of <drm/virtgpu_drm.h> (libdrm-dev's copy of the kernel uapi), for dev.framebridge.ffi.VirtioGpu.
 * Build: cc -I native-build $(pkg-config --cflags libdrm) native-build/probes/virtgpu.c */
#include "probe.h"
#include <fcntl.h>
#include <drm.h>
#include <virtgpu_drm.h>

int main(void) {
    CONST(DRM_VIRTGPU_GETPARAM);
    CONST(DRM_VIRTGPU_RESOURCE_INFO);
    CONST(VIRTGPU_PARAM_3D_FEATURES);
    CONST(VIRTGPU_PARAM_CAPSET_QUERY_FIX);
    CONST(DRM_IOCTL_VIRTGPU_GETPARAM);
    CONST(DRM_IOCTL_VIRTGPU_RESOURCE_INFO);

    SIZE(struct drm_virtgpu_getparam, "drm_virtgpu_getparam");
    FIELD(struct drm_virtgpu_getparam, "drm_virtgpu_getparam", param);
    FIELD(struct drm_virtgpu_getparam, "drm_virtgpu_getparam", value);

    SIZE(struct drm_virtgpu_resource_info, "drm_virtgpu_resource_info");
    FIELD(struct drm_virtgpu_resource_info, "drm_virtgpu_resource_info", bo_handle);
    FIELD(struct drm_virtgpu_resource_info, "drm_virtgpu_resource_info", res_handle);
    FIELD(struct drm_virtgpu_resource_info, "drm_virtgpu_resource_info", size);
    FIELD(struct drm_virtgpu_resource_info, "drm_virtgpu_resource_info", stride);
    return 0;
}

package dev.framebridge.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code <drm/virtgpu_drm.h>}: virtio-gpu's driver-private DRM ioctls, of which a guest needs two — GETPARAM (what
 * the device offers) and RESOURCE_INFO (a GEM handle's host-side resource id, the {@code resource_id} of an HXFR
 * FRAME_REQUEST). Checked against the header by {@code DrmLayoutTest} ({@code native-build/probes/virtgpu.c}).
 *
 * <p>The header is libdrm-dev's copy of the uapi; in it RESOURCE_INFO's last member is still called
 * {@code stride} (newer kernels name the same 4 bytes {@code blob_mem}); framebridge reads only
 * {@code res_handle} and {@code size}.
 */
public final class VirtioGpu {
    private VirtioGpu() {
    }

    public static final int DRM_VIRTGPU_GETPARAM = 0x03;
    public static final int DRM_VIRTGPU_RESOURCE_INFO = 0x05;
    /** GETPARAM: does the device do 3D (virgl)? */
    public static final int VIRTGPU_PARAM_3D_FEATURES = 1;
    /** GETPARAM: does the driver have the capset query fix? */
    public static final int VIRTGPU_PARAM_CAPSET_QUERY_FIX = 2;

    /** struct drm_virtgpu_getparam: {@code value} is a user pointer to an int the driver fills. */
    public static final StructLayout drm_virtgpu_getparam = MemoryLayout.structLayout(
            JAVA_LONG.withName("param"),
            JAVA_LONG.withName("value")
    ).withName("drm_virtgpu_getparam");

    /** struct drm_virtgpu_resource_info: in a GEM handle, out the host resource id and the size. */
    public static final StructLayout drm_virtgpu_resource_info = MemoryLayout.structLayout(
            JAVA_INT.withName("bo_handle"),
            JAVA_INT.withName("res_handle"),
            JAVA_INT.withName("size"),
            JAVA_INT.withName("stride")
    ).withName("drm_virtgpu_resource_info");

    public static final long DRM_IOCTL_VIRTGPU_GETPARAM =
            Drm.iowr(Drm.DRM_COMMAND_BASE + DRM_VIRTGPU_GETPARAM, drm_virtgpu_getparam);
    public static final long DRM_IOCTL_VIRTGPU_RESOURCE_INFO =
            Drm.iowr(Drm.DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_INFO, drm_virtgpu_resource_info);
}

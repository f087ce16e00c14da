/*
 * Facts of libva's headers (va/va.h, va/va_drm.h, va/va_drmcommon.h) and drm_fourcc.h for
 * dev.framebridge.ffi.LibVa and LibVaDrm: constants, and the layout of every struct framebridge builds or
 * reads — config attributes for the capability listing, and the surface attributes, the external-buffer
 * descriptor and the DRM PRIME descriptor for importing a DMA-BUF as a VA surface.
 * Build: cc -I native-build va.c -lva -lva-drm
 *
 * The typed function pointers make the compiler (-Werror) reject this probe when a bound function changes its
 * signature, and the linker when one disappears.
 */
#include <stdint.h>
#include "probe.h"
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <libdrm/drm_fourcc.h>

/* a member of an array element, under a name Java can spell (objects[0].fd -> object.fd) */
#define FIELD_AS(type, name, as, member) \
    do { \
        printf("%s.%s %zu\n", name, as, offsetof(type, member)); \
        printf("%s.%s.sizeof %zu\n", name, as, sizeof(((type *)0)->member)); \
    } while (0)

static VADisplay (*const p_get_display_drm)(int) = vaGetDisplayDRM;
static VAStatus (*const p_initialize)(VADisplay, int *, int *) = vaInitialize;
static VAStatus (*const p_terminate)(VADisplay) = vaTerminate;
static const char *(*const p_error_str)(VAStatus) = vaErrorStr;
static const char *(*const p_query_vendor_string)(VADisplay) = vaQueryVendorString;
static int (*const p_max_num_profiles)(VADisplay) = vaMaxNumProfiles;
static int (*const p_max_num_entrypoints)(VADisplay) = vaMaxNumEntrypoints;
static VAStatus (*const p_query_config_profiles)(VADisplay, VAProfile *, int *) = vaQueryConfigProfiles;
static VAStatus (*const p_query_config_entrypoints)(VADisplay, VAProfile, VAEntrypoint *, int *) = vaQueryConfigEntrypoints;
static VAStatus (*const p_get_config_attributes)(VADisplay, VAProfile, VAEntrypoint, VAConfigAttrib *, int) = vaGetConfigAttributes;
static VAStatus (*const p_create_surfaces)(VADisplay, unsigned int, unsigned int, unsigned int, VASurfaceID *,
                                           unsigned int, VASurfaceAttrib *, unsigned int) = vaCreateSurfaces;
static VAStatus (*const p_destroy_surfaces)(VADisplay, VASurfaceID *, int) = vaDestroySurfaces;
static VAMessageCallback (*const p_set_info_callback)(VADisplay, VAMessageCallback, void *) = vaSetInfoCallback;

int main(void) {
    const void *linked[] = {
        (const void *)p_initialize, (const void *)p_terminate, (const void *)p_error_str,
        (const void *)p_query_vendor_string, (const void *)p_max_num_profiles, (const void *)p_max_num_entrypoints,
        (const void *)p_query_config_profiles, (const void *)p_query_config_entrypoints,
        (const void *)p_get_config_attributes, (const void *)p_create_surfaces, (const void *)p_destroy_surfaces,
        (const void *)p_set_info_callback,
    };
    const void *linked_drm[] = { (const void *)p_get_display_drm };
    CONST_AS("va.linked_functions", sizeof linked / sizeof linked[0]);
    CONST_AS("va_drm.linked_functions", sizeof linked_drm / sizeof linked_drm[0]);

    CONST(VA_MAJOR_VERSION);
    CONST(VA_MINOR_VERSION);
    CONST(VA_STATUS_SUCCESS);
    CONST(VA_STATUS_ERROR_UNSUPPORTED_PROFILE);
    CONST(VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT);
    CONST(VA_INVALID_SURFACE);
    CONST(VA_ATTRIB_NOT_SUPPORTED);
    CONST(VAProfileNone);
    CONST(VAProfileH264Main);
    CONST(VAProfileH264High);
    CONST(VAProfileH264ConstrainedBaseline);
    CONST(VAEntrypointVLD);
    CONST(VAEntrypointEncSlice);
    CONST(VAEntrypointEncSliceLP);
    CONST(VAConfigAttribRTFormat);
    CONST(VAConfigAttribRateControl);
    CONST(VA_RC_CBR);
    CONST(VA_RC_VBR);
    CONST(VA_RC_CQP);
    CONST(VA_RT_FORMAT_YUV420);
    CONST(VA_FOURCC_NV12);
    CONST(VASurfaceAttribPixelFormat);
    CONST(VASurfaceAttribMemoryType);
    CONST(VASurfaceAttribExternalBufferDescriptor);
    CONST(VA_SURFACE_ATTRIB_SETTABLE);
    CONST(VAGenericValueTypeInteger);
    CONST(VAGenericValueTypePointer);
    CONST(VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME);
    CONST(VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2);
    CONST(DRM_FORMAT_NV12);
    CONST(DRM_FORMAT_R8);
    CONST(DRM_FORMAT_GR88);
    CONST_AS("DRM_FORMAT_MOD_LINEAR", (long long)DRM_FORMAT_MOD_LINEAR);
    CONST_AS("VAProfile.sizeof", sizeof(VAProfile));
    CONST_AS("VAEntrypoint.sizeof", sizeof(VAEntrypoint));
    CONST_AS("VASurfaceID.sizeof", sizeof(VASurfaceID));
    CONST_AS("VAStatus.sizeof", sizeof(VAStatus));

    SIZE(VAConfigAttrib, "VAConfigAttrib");
    FIELD(VAConfigAttrib, "VAConfigAttrib", type);
    FIELD(VAConfigAttrib, "VAConfigAttrib", value);

    SIZE(VASurfaceAttrib, "VASurfaceAttrib");
    FIELD(VASurfaceAttrib, "VASurfaceAttrib", type);
    FIELD(VASurfaceAttrib, "VASurfaceAttrib", flags);
    FIELD_AS(VASurfaceAttrib, "VASurfaceAttrib", "value.type", value.type);
    FIELD(VASurfaceAttrib, "VASurfaceAttrib", value.value.i);
    FIELD(VASurfaceAttrib, "VASurfaceAttrib", value.value.p);

    SIZE(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers");
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", pixel_format);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", width);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", height);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", data_size);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", num_planes);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", pitches);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", offsets);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", buffers);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", num_buffers);
    FIELD(VASurfaceAttribExternalBuffers, "VASurfaceAttribExternalBuffers", flags);

    SIZE(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor");
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", fourcc);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", width);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", height);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", num_objects);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", objects);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "object.fd", objects[0].fd);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "object.size", objects[0].size);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "object.drm_format_modifier", objects[0].drm_format_modifier);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "object1", objects[1]);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", num_layers);
    FIELD(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", layers);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer.drm_format", layers[0].drm_format);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer.num_planes", layers[0].num_planes);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer.object_index", layers[0].object_index);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer.offset", layers[0].offset);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer.pitch", layers[0].pitch);
    FIELD_AS(VADRMPRIMESurfaceDescriptor, "VADRMPRIMESurfaceDescriptor", "layer1", layers[1]);
    return 0;
}

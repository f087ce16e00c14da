package dev.framebridge.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code <drm/drm.h>} and {@code <drm/drm_mode.h>} (the kernel's DRM uapi, as libdrm-dev ships it): the ioctls a
 * guest needs to reach virtio-gpu without libdrm — driver version, dumb buffers and their mapping, PRIME
 * (GEM handle ⇄ DMA-BUF fd), and enough KMS to put a buffer on a scanout (resources, connector, encoder,
 * ADDFB, SETCRTC, DIRTYFB). The calls are {@link LibC#ioctl} with these request numbers; the structs are the
 * request arguments. Every size, offset and number is compared with the headers by {@code DrmLayoutTest}
 * ({@code native-build/probes/drm.c}). Field names are the C members', so {@code FIELD$OFFSET}-style names
 * follow jextract.
 */
public final class Drm {
    private Drm() {
    }

    // --- _IOC encoding (asm-generic/ioctl.h), as DRM_IOWR & co. use it ------------------------------
    private static final int IOC_NRSHIFT = 0;
    private static final int IOC_TYPESHIFT = 8;
    private static final int IOC_SIZESHIFT = 16;
    private static final int IOC_DIRSHIFT = 30;
    private static final int IOC_NONE = 0;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    /** DRM's ioctl type, {@code DRM_IOCTL_BASE} ('d'). */
    public static final int DRM_IOCTL_BASE = 'd';
    /** First driver-private ioctl number ({@code DRM_COMMAND_BASE}); virtio-gpu's start here. */
    public static final int DRM_COMMAND_BASE = 0x40;

    private static long ioc(int dir, int nr, long size) {
        return ((long) dir << IOC_DIRSHIFT) | (size << IOC_SIZESHIFT) | ((long) DRM_IOCTL_BASE << IOC_TYPESHIFT)
                | ((long) nr << IOC_NRSHIFT);
    }

    /** {@code DRM_IOWR(nr, type)}: the struct goes in and comes back filled. */
    public static long iowr(int nr, MemoryLayout type) {
        return ioc(IOC_READ | IOC_WRITE, nr, type.byteSize());
    }

    /** {@code DRM_IOW(nr, type)}: the struct only goes in. */
    public static long iow(int nr, MemoryLayout type) {
        return ioc(IOC_WRITE, nr, type.byteSize());
    }

    /** {@code DRM_IO(nr)}: no argument. */
    public static long io(int nr) {
        return ioc(IOC_NONE, nr, 0);
    }

    // --- open flags, mode name length -----------------------------------------------------------------
    /** PRIME_HANDLE_TO_FD flags: the DMA-BUF fd is close-on-exec / read-write. */
    public static final int DRM_CLOEXEC = LibC.O_CLOEXEC;
    public static final int DRM_RDWR = LibC.O_RDWR;
    public static final int DRM_DISPLAY_MODE_LEN = 32;

    // --- structs ----------------------------------------------------------------------------------
    /** struct drm_version: numbers, and three caller-provided buffers the driver fills (name, date, desc). */
    public static final StructLayout drm_version = MemoryLayout.structLayout(
            JAVA_INT.withName("version_major"),
            JAVA_INT.withName("version_minor"),
            JAVA_INT.withName("version_patchlevel"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("name_len"),
            ADDRESS.withName("name"),
            JAVA_LONG.withName("date_len"),
            ADDRESS.withName("date"),
            JAVA_LONG.withName("desc_len"),
            ADDRESS.withName("desc")
    ).withName("drm_version");

    public static final StructLayout drm_gem_close = MemoryLayout.structLayout(
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("pad")
    ).withName("drm_gem_close");

    /** struct drm_prime_handle: GEM handle ⇄ DMA-BUF fd, both directions. */
    public static final StructLayout drm_prime_handle = MemoryLayout.structLayout(
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("fd")
    ).withName("drm_prime_handle");

    public static final StructLayout drm_mode_create_dumb = MemoryLayout.structLayout(
            JAVA_INT.withName("height"),
            JAVA_INT.withName("width"),
            JAVA_INT.withName("bpp"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("pitch"),
            JAVA_LONG.withName("size")
    ).withName("drm_mode_create_dumb");

    /** struct drm_mode_map_dumb: the fake offset to pass to mmap on the DRM fd. */
    public static final StructLayout drm_mode_map_dumb = MemoryLayout.structLayout(
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("offset")
    ).withName("drm_mode_map_dumb");

    public static final StructLayout drm_mode_destroy_dumb = MemoryLayout.structLayout(
            JAVA_INT.withName("handle")
    ).withName("drm_mode_destroy_dumb");

    /** struct drm_mode_card_res: counts, and user arrays (u64 pointers) the kernel fills on a second call. */
    public static final StructLayout drm_mode_card_res = MemoryLayout.structLayout(
            JAVA_LONG.withName("fb_id_ptr"),
            JAVA_LONG.withName("crtc_id_ptr"),
            JAVA_LONG.withName("connector_id_ptr"),
            JAVA_LONG.withName("encoder_id_ptr"),
            JAVA_INT.withName("count_fbs"),
            JAVA_INT.withName("count_crtcs"),
            JAVA_INT.withName("count_connectors"),
            JAVA_INT.withName("count_encoders"),
            JAVA_INT.withName("min_width"),
            JAVA_INT.withName("max_width"),
            JAVA_INT.withName("min_height"),
            JAVA_INT.withName("max_height")
    ).withName("drm_mode_card_res");

    public static final StructLayout drm_mode_modeinfo = MemoryLayout.structLayout(
            JAVA_INT.withName("clock"),
            JAVA_SHORT.withName("hdisplay"),
            JAVA_SHORT.withName("hsync_start"),
            JAVA_SHORT.withName("hsync_end"),
            JAVA_SHORT.withName("htotal"),
            JAVA_SHORT.withName("hskew"),
            JAVA_SHORT.withName("vdisplay"),
            JAVA_SHORT.withName("vsync_start"),
            JAVA_SHORT.withName("vsync_end"),
            JAVA_SHORT.withName("vtotal"),
            JAVA_SHORT.withName("vscan"),
            JAVA_INT.withName("vrefresh"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("type"),
            MemoryLayout.sequenceLayout(DRM_DISPLAY_MODE_LEN, JAVA_BYTE).withName("name")
    ).withName("drm_mode_modeinfo");

    public static final StructLayout drm_mode_get_connector = MemoryLayout.structLayout(
            JAVA_LONG.withName("encoders_ptr"),
            JAVA_LONG.withName("modes_ptr"),
            JAVA_LONG.withName("props_ptr"),
            JAVA_LONG.withName("prop_values_ptr"),
            JAVA_INT.withName("count_modes"),
            JAVA_INT.withName("count_props"),
            JAVA_INT.withName("count_encoders"),
            JAVA_INT.withName("encoder_id"),
            JAVA_INT.withName("connector_id"),
            JAVA_INT.withName("connector_type"),
            JAVA_INT.withName("connector_type_id"),
            JAVA_INT.withName("connection"),
            JAVA_INT.withName("mm_width"),
            JAVA_INT.withName("mm_height"),
            JAVA_INT.withName("subpixel"),
            JAVA_INT.withName("pad")
    ).withName("drm_mode_get_connector");

    public static final StructLayout drm_mode_get_encoder = MemoryLayout.structLayout(
            JAVA_INT.withName("encoder_id"),
            JAVA_INT.withName("encoder_type"),
            JAVA_INT.withName("crtc_id"),
            JAVA_INT.withName("possible_crtcs"),
            JAVA_INT.withName("possible_clones")
    ).withName("drm_mode_get_encoder");

    /** struct drm_mode_crtc: SETCRTC's argument (a framebuffer, the connectors it drives, the mode). */
    public static final StructLayout drm_mode_crtc = MemoryLayout.structLayout(
            JAVA_LONG.withName("set_connectors_ptr"),
            JAVA_INT.withName("count_connectors"),
            JAVA_INT.withName("crtc_id"),
            JAVA_INT.withName("fb_id"),
            JAVA_INT.withName("x"),
            JAVA_INT.withName("y"),
            JAVA_INT.withName("gamma_size"),
            JAVA_INT.withName("mode_valid"),
            drm_mode_modeinfo.withName("mode")
    ).withName("drm_mode_crtc");

    /** struct drm_mode_fb_cmd: ADDFB's argument (the legacy one: bpp/depth, one plane). */
    public static final StructLayout drm_mode_fb_cmd = MemoryLayout.structLayout(
            JAVA_INT.withName("fb_id"),
            JAVA_INT.withName("width"),
            JAVA_INT.withName("height"),
            JAVA_INT.withName("pitch"),
            JAVA_INT.withName("bpp"),
            JAVA_INT.withName("depth"),
            JAVA_INT.withName("handle")
    ).withName("drm_mode_fb_cmd");

    public static final StructLayout drm_mode_fb_dirty_cmd = MemoryLayout.structLayout(
            JAVA_INT.withName("fb_id"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("color"),
            JAVA_INT.withName("num_clips"),
            JAVA_LONG.withName("clips_ptr")
    ).withName("drm_mode_fb_dirty_cmd");

    public static final StructLayout drm_clip_rect = MemoryLayout.structLayout(
            JAVA_SHORT.withName("x1"),
            JAVA_SHORT.withName("y1"),
            JAVA_SHORT.withName("x2"),
            JAVA_SHORT.withName("y2")
    ).withName("drm_clip_rect");

    // --- ioctl numbers (unsigned long; compared with the headers' macros) ---------------------------
    public static final long DRM_IOCTL_VERSION = iowr(0x00, drm_version);
    public static final long DRM_IOCTL_GEM_CLOSE = iow(0x09, drm_gem_close);
    public static final long DRM_IOCTL_SET_MASTER = io(0x1e);
    public static final long DRM_IOCTL_PRIME_HANDLE_TO_FD = iowr(0x2d, drm_prime_handle);
    public static final long DRM_IOCTL_PRIME_FD_TO_HANDLE = iowr(0x2e, drm_prime_handle);
    public static final long DRM_IOCTL_MODE_GETRESOURCES = iowr(0xA0, drm_mode_card_res);
    public static final long DRM_IOCTL_MODE_SETCRTC = iowr(0xA2, drm_mode_crtc);
    public static final long DRM_IOCTL_MODE_GETENCODER = iowr(0xA6, drm_mode_get_encoder);
    public static final long DRM_IOCTL_MODE_GETCONNECTOR = iowr(0xA7, drm_mode_get_connector);
    public static final long DRM_IOCTL_MODE_ADDFB = iowr(0xAE, drm_mode_fb_cmd);
    /** Its argument is a bare {@code unsigned int} (the framebuffer id). */
    public static final long DRM_IOCTL_MODE_RMFB = iowr(0xAF, JAVA_INT);
    public static final long DRM_IOCTL_MODE_DIRTYFB = iowr(0xB1, drm_mode_fb_dirty_cmd);
    public static final long DRM_IOCTL_MODE_CREATE_DUMB = iowr(0xB2, drm_mode_create_dumb);
    public static final long DRM_IOCTL_MODE_MAP_DUMB = iowr(0xB3, drm_mode_map_dumb);
    public static final long DRM_IOCTL_MODE_DESTROY_DUMB = iowr(0xB4, drm_mode_destroy_dumb);

    /** Offset of a member of {@code struct}, for the accessors (computed once at class init by callers). */
    public static long offset(StructLayout struct, String member) {
        return struct.byteOffset(groupElement(member));
    }
}

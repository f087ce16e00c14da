package dev.framebridge.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.framebridge.ffi.Drm;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.VirtioGpu;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest's virtio-gpu, driven through DRM ioctls on {@code /dev/dri/cardN} with no libdrm: what vsockenc does to
 * name a frame by its host resource id, and what push mode needs to show a frame on a scanout.
 * <ul>
 *   <li>buffers: {@link #createDumb} (a GEM handle), {@link #map} it, or {@link #importDmaBuf} a DMA-BUF fd
 *       (PRIME) and {@link #exportDmaBuf} one;</li>
 *   <li>{@link #resourceId}: VIRTGPU_RESOURCE_INFO, a GEM handle's host-side resource id — the
 *       {@code resource_id} of an HXFR FRAME_REQUEST;</li>
 *   <li>scanout: {@link #firstConnectedOutput}, {@link #addFramebuffer}, {@link #show} (SETCRTC) and
 *       {@link #flush} (DIRTYFB, the call that makes the host see new pixels).</li>
 * </ul>
 * One thread at a time: the ioctl arguments live in one preallocated scratch area, so {@link #flush} (once per
 * frame in push mode) allocates nothing. Failures are {@link ErrnoException}s naming the ioctl and the fix.
 */
public final class VirtioGpuDevice implements AutoCloseable {
    /** {@code drm_mode_get_connector.connection}: 1 connected (drm_mode.h; libdrm calls it DRM_MODE_CONNECTED). */
    private static final int CONNECTED = 1;
    private static final int DUMB_BPP = 32;
    /** ADDFB's legacy depth for 32 bpp XRGB8888 (DRM_FORMAT_XRGB8888, what virtio-gpu scans out). */
    private static final int DEPTH_XRGB8888 = 24;

    private static final long VERSION_MAJOR = Drm.offset(Drm.drm_version, "version_major");
    private static final long VERSION_MINOR = Drm.offset(Drm.drm_version, "version_minor");
    private static final long VERSION_PATCH = Drm.offset(Drm.drm_version, "version_patchlevel");
    private static final long VERSION_NAME_LEN = Drm.offset(Drm.drm_version, "name_len");
    private static final long VERSION_NAME = Drm.offset(Drm.drm_version, "name");
    private static final long VERSION_DATE_LEN = Drm.offset(Drm.drm_version, "date_len");
    private static final long VERSION_DATE = Drm.offset(Drm.drm_version, "date");
    private static final long VERSION_DESC_LEN = Drm.offset(Drm.drm_version, "desc_len");
    private static final long VERSION_DESC = Drm.offset(Drm.drm_version, "desc");
    private static final long DUMB_HEIGHT = Drm.offset(Drm.drm_mode_create_dumb, "height");
    private static final long DUMB_WIDTH = Drm.offset(Drm.drm_mode_create_dumb, "width");
    private static final long DUMB_BPP_AT = Drm.offset(Drm.drm_mode_create_dumb, "bpp");
    private static final long DUMB_HANDLE = Drm.offset(Drm.drm_mode_create_dumb, "handle");
    private static final long DUMB_PITCH = Drm.offset(Drm.drm_mode_create_dumb, "pitch");
    private static final long DUMB_SIZE = Drm.offset(Drm.drm_mode_create_dumb, "size");
    private static final long MAP_HANDLE = Drm.offset(Drm.drm_mode_map_dumb, "handle");
    private static final long MAP_OFFSET = Drm.offset(Drm.drm_mode_map_dumb, "offset");
    private static final long PRIME_HANDLE = Drm.offset(Drm.drm_prime_handle, "handle");
    private static final long PRIME_FLAGS = Drm.offset(Drm.drm_prime_handle, "flags");
    private static final long PRIME_FD = Drm.offset(Drm.drm_prime_handle, "fd");
    private static final long INFO_BO = Drm.offset(VirtioGpu.drm_virtgpu_resource_info, "bo_handle");
    private static final long INFO_RES = Drm.offset(VirtioGpu.drm_virtgpu_resource_info, "res_handle");
    private static final long INFO_SIZE = Drm.offset(VirtioGpu.drm_virtgpu_resource_info, "size");
    private static final long PARAM_PARAM = Drm.offset(VirtioGpu.drm_virtgpu_getparam, "param");
    private static final long PARAM_VALUE = Drm.offset(VirtioGpu.drm_virtgpu_getparam, "value");
    private static final long RES_CRTC_PTR = Drm.offset(Drm.drm_mode_card_res, "crtc_id_ptr");
    private static final long RES_CONNECTOR_PTR = Drm.offset(Drm.drm_mode_card_res, "connector_id_ptr");
    private static final long RES_COUNT_CRTCS = Drm.offset(Drm.drm_mode_card_res, "count_crtcs");
    private static final long RES_COUNT_CONNECTORS = Drm.offset(Drm.drm_mode_card_res, "count_connectors");
    private static final long CONN_MODES_PTR = Drm.offset(Drm.drm_mode_get_connector, "modes_ptr");
    private static final long CONN_COUNT_MODES = Drm.offset(Drm.drm_mode_get_connector, "count_modes");
    private static final long CONN_COUNT_PROPS = Drm.offset(Drm.drm_mode_get_connector, "count_props");
    private static final long CONN_COUNT_ENCODERS = Drm.offset(Drm.drm_mode_get_connector, "count_encoders");
    private static final long CONN_ENCODER_ID = Drm.offset(Drm.drm_mode_get_connector, "encoder_id");
    private static final long CONN_CONNECTOR_ID = Drm.offset(Drm.drm_mode_get_connector, "connector_id");
    private static final long CONN_CONNECTION = Drm.offset(Drm.drm_mode_get_connector, "connection");
    private static final long ENC_ENCODER_ID = Drm.offset(Drm.drm_mode_get_encoder, "encoder_id");
    private static final long ENC_CRTC_ID = Drm.offset(Drm.drm_mode_get_encoder, "crtc_id");
    private static final long ENC_POSSIBLE_CRTCS = Drm.offset(Drm.drm_mode_get_encoder, "possible_crtcs");
    private static final long MODE_HDISPLAY = Drm.offset(Drm.drm_mode_modeinfo, "hdisplay");
    private static final long MODE_VDISPLAY = Drm.offset(Drm.drm_mode_modeinfo, "vdisplay");
    private static final long MODE_VREFRESH = Drm.offset(Drm.drm_mode_modeinfo, "vrefresh");
    private static final long MODE_NAME = Drm.offset(Drm.drm_mode_modeinfo, "name");
    private static final long CRTC_SET_CONNECTORS_PTR = Drm.offset(Drm.drm_mode_crtc, "set_connectors_ptr");
    private static final long CRTC_COUNT_CONNECTORS = Drm.offset(Drm.drm_mode_crtc, "count_connectors");
    private static final long CRTC_CRTC_ID = Drm.offset(Drm.drm_mode_crtc, "crtc_id");
    private static final long CRTC_FB_ID = Drm.offset(Drm.drm_mode_crtc, "fb_id");
    private static final long CRTC_MODE_VALID = Drm.offset(Drm.drm_mode_crtc, "mode_valid");
    private static final long CRTC_MODE = Drm.offset(Drm.drm_mode_crtc, "mode");
    private static final long FB_FB_ID = Drm.offset(Drm.drm_mode_fb_cmd, "fb_id");
    private static final long FB_WIDTH = Drm.offset(Drm.drm_mode_fb_cmd, "width");
    private static final long FB_HEIGHT = Drm.offset(Drm.drm_mode_fb_cmd, "height");
    private static final long FB_PITCH = Drm.offset(Drm.drm_mode_fb_cmd, "pitch");
    private static final long FB_BPP = Drm.offset(Drm.drm_mode_fb_cmd, "bpp");
    private static final long FB_DEPTH = Drm.offset(Drm.drm_mode_fb_cmd, "depth");
    private static final long FB_HANDLE = Drm.offset(Drm.drm_mode_fb_cmd, "handle");
    private static final long DIRTY_FB_ID = Drm.offset(Drm.drm_mode_fb_dirty_cmd, "fb_id");
    private static final long DIRTY_NUM_CLIPS = Drm.offset(Drm.drm_mode_fb_dirty_cmd, "num_clips");
    private static final long DIRTY_CLIPS_PTR = Drm.offset(Drm.drm_mode_fb_dirty_cmd, "clips_ptr");
    private static final long CLIP_X1 = Drm.offset(Drm.drm_clip_rect, "x1");
    private static final long CLIP_Y1 = Drm.offset(Drm.drm_clip_rect, "y1");
    private static final long CLIP_X2 = Drm.offset(Drm.drm_clip_rect, "x2");
    private static final long CLIP_Y2 = Drm.offset(Drm.drm_clip_rect, "y2");

    private final Path node;
    private final int fd;
    private final Errno errno = new Errno();
    private final Arena arena = Arena.ofShared();
    /** Every ioctl's argument, one at a time (the largest is drm_mode_crtc). */
    private final MemorySegment scratch;
    /** DIRTYFB's argument and its one clip rectangle, kept apart so a flush touches nothing else. */
    private final MemorySegment dirty = arena.allocate(Drm.drm_mode_fb_dirty_cmd);
    private final MemorySegment clip = arena.allocate(Drm.drm_clip_rect);
    private final List<Mapping> mappings = new ArrayList<>();
    private DriverVersion version;
    private boolean closed;

    private VirtioGpuDevice(Path node, int fd) {
        this.node = node;
        this.fd = fd;
        long largest = 0;
        for (StructLayout s : List.of(Drm.drm_version, Drm.drm_mode_crtc, Drm.drm_mode_get_connector,
                Drm.drm_mode_card_res, Drm.drm_mode_create_dumb, VirtioGpu.drm_virtgpu_getparam)) {
            largest = Math.max(largest, s.byteSize());
        }
        this.scratch = arena.allocate(largest + 8, 8); // + GETPARAM's answer after its struct
    }

    /**
     * Opens a DRM primary node ({@code /dev/dri/card0}) and checks that virtio-gpu drives it.
     *
     * @throws ErrnoException when the node cannot be opened (with the fix), IOException when it is another driver
     */
    public static VirtioGpuDevice open(Path node) throws IOException {
        Errno e = new Errno();
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = LibC.open(e, a.allocateFrom(node.toString()), LibC.O_RDWR | LibC.O_CLOEXEC);
        }
        if (fd < 0) {
            throw e.exception("open(" + node + ")", switch (e.get()) {
                case LibC.ENOENT -> "no such DRM node: give the VM a virtio-gpu (QEMU: -device virtio-gpu-pci) and"
                        + " load its driver (modprobe virtio_gpu)";
                case LibC.EACCES, LibC.EPERM -> "permission denied: run as a member of the node's group (video)";
                default -> null;
            });
        }
        VirtioGpuDevice device = new VirtioGpuDevice(node, fd);
        try {
            device.version = device.readVersion();
        } catch (IOException | RuntimeException ex) {
            device.close();
            throw ex;
        }
        if (!device.version.name().equals("virtio_gpu")) {
            device.close();
            throw new IOException(node + " is driven by " + device.version.name() + ", not virtio_gpu: resource ids"
                    + " exist only on virtio-gpu (pick the virtio-gpu card under /dev/dri)");
        }
        return device;
    }

    /** DRM_IOCTL_VERSION's answer for this node. */
    public DriverVersion version() {
        return version;
    }

    public Path node() {
        return node;
    }

    /** The DRM file descriptor (for mmap by callers that manage their own mappings, or polling). */
    public int fd() {
        return fd;
    }

    /** VIRTGPU_GETPARAM: a {@link VirtioGpu}{@code .VIRTGPU_PARAM_*} value (0 or 1 for the feature flags). */
    public int param(int param) throws ErrnoException {
        // the driver writes an int to the user pointer in .value: let it point just past the struct
        long valueAt = VirtioGpu.drm_virtgpu_getparam.byteSize();
        clear(valueAt + 8);
        scratch.set(JAVA_LONG, PARAM_PARAM, param);
        scratch.set(JAVA_LONG, PARAM_VALUE, scratch.address() + valueAt);
        ioctl(VirtioGpu.DRM_IOCTL_VIRTGPU_GETPARAM, "VIRTGPU_GETPARAM(" + param + ")");
        return scratch.get(JAVA_INT, valueAt);
    }

    /** MODE_CREATE_DUMB: a 32-bit-per-pixel buffer (XRGB8888 / BGRA in memory) the kernel backs and the host sees. */
    public DumbBuffer createDumb(int width, int height) throws ErrnoException {
        clear(Drm.drm_mode_create_dumb.byteSize());
        scratch.set(JAVA_INT, DUMB_WIDTH, width);
        scratch.set(JAVA_INT, DUMB_HEIGHT, height);
        scratch.set(JAVA_INT, DUMB_BPP_AT, DUMB_BPP);
        ioctl(Drm.DRM_IOCTL_MODE_CREATE_DUMB, "MODE_CREATE_DUMB(" + width + "x" + height + ")");
        return new DumbBuffer(scratch.get(JAVA_INT, DUMB_HANDLE), width, height, scratch.get(JAVA_INT, DUMB_PITCH),
                scratch.get(JAVA_LONG, DUMB_SIZE));
    }

    /** MODE_MAP_DUMB then mmap: the buffer's pixels, shared with the kernel (unmapped by {@link #close}). */
    public MemorySegment map(DumbBuffer buffer) throws ErrnoException {
        clear(Drm.drm_mode_map_dumb.byteSize());
        scratch.set(JAVA_INT, MAP_HANDLE, buffer.handle());
        ioctl(Drm.DRM_IOCTL_MODE_MAP_DUMB, "MODE_MAP_DUMB(handle " + buffer.handle() + ")");
        long offset = scratch.get(JAVA_LONG, MAP_OFFSET);
        MemorySegment at = LibC.mmap(errno, buffer.size(), LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, offset);
        if (at.address() == LibC.MAP_FAILED) {
            throw errno.exception("mmap(" + node + ", handle " + buffer.handle() + ", " + buffer.size() + " bytes)");
        }
        MemorySegment pixels = at.reinterpret(buffer.size());
        mappings.add(new Mapping(pixels));
        return pixels;
    }

    /** Unmaps what {@link #map} returned (before destroying the buffer, or to remap). */
    public void unmap(MemorySegment pixels) throws ErrnoException {
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i).pixels().address() == pixels.address()) {
                mappings.remove(i);
                if (LibC.munmap(errno, pixels, pixels.byteSize()) != 0) {
                    throw errno.exception("munmap(" + node + ")");
                }
                return;
            }
        }
        throw new IllegalArgumentException("not a mapping of this device: " + pixels);
    }

    /** VIRTGPU_RESOURCE_INFO: the host's resource id and the size of the buffer behind a GEM handle. */
    public ResourceInfo resourceInfo(int handle) throws ErrnoException {
        clear(VirtioGpu.drm_virtgpu_resource_info.byteSize());
        scratch.set(JAVA_INT, INFO_BO, handle);
        ioctl(VirtioGpu.DRM_IOCTL_VIRTGPU_RESOURCE_INFO, "VIRTGPU_RESOURCE_INFO(handle " + handle + ")");
        return new ResourceInfo(handle, scratch.get(JAVA_INT, INFO_RES), Integer.toUnsignedLong(scratch.get(JAVA_INT, INFO_SIZE)));
    }

    /** The resource id an HXFR FRAME_REQUEST carries for this GEM handle. */
    public int resourceId(int handle) throws ErrnoException {
        return resourceInfo(handle).resourceId();
    }

    /** PRIME_HANDLE_TO_FD: a DMA-BUF fd for the handle (close-on-exec, read-write); the caller closes it. */
    public int exportDmaBuf(int handle) throws ErrnoException {
        clear(Drm.drm_prime_handle.byteSize());
        scratch.set(JAVA_INT, PRIME_HANDLE, handle);
        scratch.set(JAVA_INT, PRIME_FLAGS, Drm.DRM_CLOEXEC | Drm.DRM_RDWR);
        scratch.set(JAVA_INT, PRIME_FD, -1);
        ioctl(Drm.DRM_IOCTL_PRIME_HANDLE_TO_FD, "PRIME_HANDLE_TO_FD(handle " + handle + ")");
        return scratch.get(JAVA_INT, PRIME_FD);
    }

    /**
     * PRIME_FD_TO_HANDLE: the GEM handle of a DMA-BUF in this DRM file (the same handle again when the buffer is
     * already known here; the fd stays the caller's). What a guest does with a DMA-BUF it was handed.
     */
    public int importDmaBuf(int dmaBufFd) throws ErrnoException {
        clear(Drm.drm_prime_handle.byteSize());
        scratch.set(JAVA_INT, PRIME_FD, dmaBufFd);
        ioctl(Drm.DRM_IOCTL_PRIME_FD_TO_HANDLE, "PRIME_FD_TO_HANDLE(fd " + dmaBufFd + ")",
                "the fd is not a DMA-BUF this device can import");
        return scratch.get(JAVA_INT, PRIME_HANDLE);
    }

    /** GEM_CLOSE: drops this file's handle (the buffer lives on while other handles or fds hold it). */
    public void closeHandle(int handle) throws ErrnoException {
        clear(Drm.drm_gem_close.byteSize());
        scratch.set(JAVA_INT, 0, handle);
        ioctl(Drm.DRM_IOCTL_GEM_CLOSE, "GEM_CLOSE(handle " + handle + ")");
    }

    /** MODE_DESTROY_DUMB. */
    public void destroyDumb(DumbBuffer buffer) throws ErrnoException {
        clear(Drm.drm_mode_destroy_dumb.byteSize());
        scratch.set(JAVA_INT, 0, buffer.handle());
        ioctl(Drm.DRM_IOCTL_MODE_DESTROY_DUMB, "MODE_DESTROY_DUMB(handle " + buffer.handle() + ")");
    }

    /**
     * The first connected connector, a CRTC that can drive it and its preferred (first) mode — what SETCRTC needs.
     *
     * @throws IOException when no connector is connected or none has a mode
     */
    public Output firstConnectedOutput() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            clear(Drm.drm_mode_card_res.byteSize());
            ioctl(Drm.DRM_IOCTL_MODE_GETRESOURCES, "MODE_GETRESOURCES (counts)",
                    "the node does no modesetting (a render node?): open /dev/dri/cardN");
            int crtcs = scratch.get(JAVA_INT, RES_COUNT_CRTCS);
            int connectors = scratch.get(JAVA_INT, RES_COUNT_CONNECTORS);
            MemorySegment crtcIds = a.allocate(JAVA_INT, Math.max(1, crtcs));
            MemorySegment connectorIds = a.allocate(JAVA_INT, Math.max(1, connectors));
            clear(Drm.drm_mode_card_res.byteSize());
            scratch.set(JAVA_LONG, RES_CRTC_PTR, crtcIds.address());
            scratch.set(JAVA_LONG, RES_CONNECTOR_PTR, connectorIds.address());
            scratch.set(JAVA_INT, RES_COUNT_CRTCS, crtcs);
            scratch.set(JAVA_INT, RES_COUNT_CONNECTORS, connectors);
            ioctl(Drm.DRM_IOCTL_MODE_GETRESOURCES, "MODE_GETRESOURCES (ids)");
            for (int c = 0; c < connectors; c++) {
                int connectorId = connectorIds.getAtIndex(JAVA_INT, c);
                clear(Drm.drm_mode_get_connector.byteSize());
                scratch.set(JAVA_INT, CONN_CONNECTOR_ID, connectorId);
                ioctl(Drm.DRM_IOCTL_MODE_GETCONNECTOR, "MODE_GETCONNECTOR(" + connectorId + ") (counts)");
                int modes = scratch.get(JAVA_INT, CONN_COUNT_MODES);
                if (scratch.get(JAVA_INT, CONN_CONNECTION) != CONNECTED || modes == 0) {
                    continue;
                }
                MemorySegment modeInfos = a.allocate(Drm.drm_mode_modeinfo, modes);
                clear(Drm.drm_mode_get_connector.byteSize());
                scratch.set(JAVA_INT, CONN_CONNECTOR_ID, connectorId);
                scratch.set(JAVA_LONG, CONN_MODES_PTR, modeInfos.address());
                scratch.set(JAVA_INT, CONN_COUNT_MODES, modes);
                scratch.set(JAVA_INT, CONN_COUNT_PROPS, 0);
                scratch.set(JAVA_INT, CONN_COUNT_ENCODERS, 0);
                ioctl(Drm.DRM_IOCTL_MODE_GETCONNECTOR, "MODE_GETCONNECTOR(" + connectorId + ") (modes)");
                int encoderId = scratch.get(JAVA_INT, CONN_ENCODER_ID);
                int crtcId = crtcFor(encoderId, crtcIds, crtcs);
                byte[] mode = modeInfos.asSlice(0, Drm.drm_mode_modeinfo.byteSize()).toArray(JAVA_BYTE);
                return new Output(connectorId, crtcId, Short.toUnsignedInt(modeInfos.get(JAVA_SHORT, MODE_HDISPLAY)),
                        Short.toUnsignedInt(modeInfos.get(JAVA_SHORT, MODE_VDISPLAY)), modeInfos.get(JAVA_INT, MODE_VREFRESH),
                        modeInfos.asSlice(MODE_NAME, Drm.DRM_DISPLAY_MODE_LEN).getString(0), mode);
            }
            throw new IOException(node + " has " + connectors + " connector(s), none connected with a mode: enable a"
                    + " scanout (QEMU: virtio-gpu-pci's outputs) before showing a frame");
        }
    }

    /** The CRTC the connector's encoder drives now, or the first it could drive. */
    private int crtcFor(int encoderId, MemorySegment crtcIds, int crtcs) throws IOException {
        if (encoderId != 0) {
            clear(Drm.drm_mode_get_encoder.byteSize());
            scratch.set(JAVA_INT, ENC_ENCODER_ID, encoderId);
            ioctl(Drm.DRM_IOCTL_MODE_GETENCODER, "MODE_GETENCODER(" + encoderId + ")");
            int crtc = scratch.get(JAVA_INT, ENC_CRTC_ID);
            if (crtc != 0) {
                return crtc;
            }
            int possible = scratch.get(JAVA_INT, ENC_POSSIBLE_CRTCS);
            for (int i = 0; i < crtcs; i++) {
                if ((possible & (1 << i)) != 0) {
                    return crtcIds.getAtIndex(JAVA_INT, i);
                }
            }
        }
        if (crtcs == 0) {
            throw new IOException(node + " has no CRTC to drive a scanout");
        }
        return crtcIds.getAtIndex(JAVA_INT, 0);
    }

    /** MODE_ADDFB: a framebuffer over a dumb buffer (XRGB8888), for {@link #show}. */
    public int addFramebuffer(DumbBuffer buffer) throws ErrnoException {
        clear(Drm.drm_mode_fb_cmd.byteSize());
        scratch.set(JAVA_INT, FB_WIDTH, buffer.width());
        scratch.set(JAVA_INT, FB_HEIGHT, buffer.height());
        scratch.set(JAVA_INT, FB_PITCH, buffer.pitch());
        scratch.set(JAVA_INT, FB_BPP, DUMB_BPP);
        scratch.set(JAVA_INT, FB_DEPTH, DEPTH_XRGB8888);
        scratch.set(JAVA_INT, FB_HANDLE, buffer.handle());
        ioctl(Drm.DRM_IOCTL_MODE_ADDFB, "MODE_ADDFB(handle " + buffer.handle() + ")");
        return scratch.get(JAVA_INT, FB_FB_ID);
    }

    /** MODE_RMFB. */
    public void removeFramebuffer(int fbId) throws ErrnoException {
        clear(4);
        scratch.set(JAVA_INT, 0, fbId);
        ioctl(Drm.DRM_IOCTL_MODE_RMFB, "MODE_RMFB(" + fbId + ")");
    }

    /** MODE_SETCRTC: the output scans out the framebuffer from its top-left corner, in the output's mode. */
    public void show(Output output, int fbId) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment connectors = a.allocateFrom(JAVA_INT, output.connectorId());
            clear(Drm.drm_mode_crtc.byteSize());
            scratch.set(JAVA_LONG, CRTC_SET_CONNECTORS_PTR, connectors.address());
            scratch.set(JAVA_INT, CRTC_COUNT_CONNECTORS, 1);
            scratch.set(JAVA_INT, CRTC_CRTC_ID, output.crtcId());
            scratch.set(JAVA_INT, CRTC_FB_ID, fbId);
            scratch.set(JAVA_INT, CRTC_MODE_VALID, 1);
            MemorySegment.copy(output.modeInfo(), 0, scratch, JAVA_BYTE, CRTC_MODE, output.modeInfo().length);
            ioctl(Drm.DRM_IOCTL_MODE_SETCRTC, "MODE_SETCRTC(crtc " + output.crtcId() + ", fb " + fbId + ")",
                    "another process is DRM master (a display server?), or the mode does not fit the framebuffer");
        }
    }

    /**
     * MODE_DIRTYFB over one rectangle: tells the device (and so the host) that these pixels changed. Allocates
     * nothing: once per frame in push mode.
     */
    public void flush(int fbId, int x, int y, int width, int height) throws ErrnoException {
        clip.set(JAVA_SHORT, CLIP_X1, (short) x);
        clip.set(JAVA_SHORT, CLIP_Y1, (short) y);
        clip.set(JAVA_SHORT, CLIP_X2, (short) (x + width));
        clip.set(JAVA_SHORT, CLIP_Y2, (short) (y + height));
        dirty.fill((byte) 0);
        dirty.set(JAVA_INT, DIRTY_FB_ID, fbId);
        dirty.set(JAVA_INT, DIRTY_NUM_CLIPS, 1);
        dirty.set(JAVA_LONG, DIRTY_CLIPS_PTR, clip.address());
        if (LibC.ioctl(errno, fd, Drm.DRM_IOCTL_MODE_DIRTYFB, dirty) != 0) {
            throw errno.exception("ioctl(" + node + ", MODE_DIRTYFB(" + fbId + "))");
        }
    }

    private void clear(long bytes) {
        scratch.asSlice(0, bytes).fill((byte) 0);
    }

    private void ioctl(long request, String what) throws ErrnoException {
        ioctl(request, what, null);
    }

    private void ioctl(long request, String what, String einvalHint) throws ErrnoException {
        while (LibC.ioctl(errno, fd, request, scratch) != 0) {
            int err = errno.get();
            if (err == LibC.EINTR || err == LibC.EAGAIN) {
                continue; // DRM restarts interrupted ioctls this way (libdrm's drmIoctl does the same)
            }
            throw errno.exception("ioctl(" + node + ", " + what + ")", switch (err) {
                case LibC.ENOTTY -> "not a DRM device, or a driver without this ioctl (is it virtio_gpu?)";
                case LibC.EACCES, LibC.EPERM -> "needs DRM master or root: no display server may hold " + node;
                case LibC.ENOENT -> "no such object (handle, framebuffer, CRTC or connector id)";
                case LibC.EINVAL -> einvalHint;
                default -> null;
            });
        }
    }

    private DriverVersion readVersion() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(64);
            MemorySegment date = a.allocate(64);
            MemorySegment desc = a.allocate(256);
            clear(Drm.drm_version.byteSize());
            scratch.set(JAVA_LONG, VERSION_NAME_LEN, name.byteSize() - 1);
            scratch.set(ADDRESS, VERSION_NAME, name);
            scratch.set(JAVA_LONG, VERSION_DATE_LEN, date.byteSize() - 1);
            scratch.set(ADDRESS, VERSION_DATE, date);
            scratch.set(JAVA_LONG, VERSION_DESC_LEN, desc.byteSize() - 1);
            scratch.set(ADDRESS, VERSION_DESC, desc);
            ioctl(Drm.DRM_IOCTL_VERSION, "VERSION");
            return new DriverVersion(name.getString(0), scratch.get(JAVA_INT, VERSION_MAJOR),
                    scratch.get(JAVA_INT, VERSION_MINOR), scratch.get(JAVA_INT, VERSION_PATCH), date.getString(0),
                    desc.getString(0));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Mapping m : mappings) {
            LibC.munmap(errno, m.pixels(), m.pixels().byteSize());
        }
        mappings.clear();
        LibC.close(errno, fd);
        arena.close();
    }

    private record Mapping(MemorySegment pixels) {
    }

    /** DRM_IOCTL_VERSION: the driver's name ({@code virtio_gpu}), version, date and description. */
    public record DriverVersion(String name, int major, int minor, int patch, String date, String description) {
        @Override
        public String toString() {
            return name + " " + major + "." + minor + "." + patch + " (" + description + ", " + date + ")";
        }
    }

    /** A dumb buffer: its GEM handle, size in pixels, bytes per row and bytes in all. */
    public record DumbBuffer(int handle, int width, int height, int pitch, long size) {
    }

    /** A GEM handle's host resource (VIRTGPU_RESOURCE_INFO). */
    public record ResourceInfo(int handle, int resourceId, long size) {
    }

    /** A connected output: connector, the CRTC driving it, its preferred mode (and the raw drm_mode_modeinfo). */
    public record Output(int connectorId, int crtcId, int width, int height, int refresh, String modeName,
                         byte[] modeInfo) {
    }
}

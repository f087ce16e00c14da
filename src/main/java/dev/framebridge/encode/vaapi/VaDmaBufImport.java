package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.LibVa;
import dev.framebridge.ffi.LibVa.VADRMPRIMESurfaceDescriptor;
import dev.framebridge.ffi.LibVa.VASurfaceAttrib;
import dev.framebridge.ffi.LibVa.VASurfaceAttribExternalBuffers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Imports NV12 DMA-BUFs (one buffer, two planes — a guest's virtio-gpu resource, a capture API's frame) as VA surfaces
 * on one display with {@code vaCreateSurfaces}, so a frame passed by reference reaches the GPU encoder without a CPU
 * copy. This is what FFmpeg's own DRM→VAAPI mapping does ({@code vaapi_map_from_drm} in hwcontext_vaapi.c, the
 * {@code kmsgrab → hwmap → h264_vaapi} path), in the same order:
 * <ul>
 *   <li>{@code VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2} with a {@code VADRMPRIMESurfaceDescriptor} (one object, one
 *       NV12 layer of two planes, the format modifier stated);</li>
 *   <li>if the driver refuses that, {@code VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME} with a
 *       {@code VASurfaceAttribExternalBuffers} (linear only), and — as FFmpeg does — PRIME 2 is not tried again on
 *       this display.</li>
 * </ul>
 * One instance per encoder session, used by its encode thread; its descriptors are allocated once, so an import
 * allocates nothing in Java. A surface does not own the fd (the driver keeps its own reference to the buffer);
 * {@link #destroy} it once the encoder is done with it.
 *
 * <p><b>Not run on this project's machines:</b> none has a render node. The struct layouts are checked against
 * va.h by {@code LibVaLayoutTest}, and {@code VaDmaBufImportTest} checks the descriptors this class writes field by
 * field and the layouts it refuses before libva sees them; the call itself has never run here.
 */
public final class VaDmaBufImport implements AutoCloseable {
    private static final long U32 = 0xFFFF_FFFFL;

    private final VaDevice device;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment attribs = arena.allocate(2 * VASurfaceAttrib.sizeof(), 8);
    private final MemorySegment prime2 = arena.allocate(VADRMPRIMESurfaceDescriptor.sizeof(), 8);
    private final MemorySegment legacy = arena.allocate(VASurfaceAttribExternalBuffers.sizeof(), 8);
    private final MemorySegment legacyFds = arena.allocate(JAVA_LONG);
    private final MemorySegment surface = arena.allocate(JAVA_INT);
    /** The driver refused DRM PRIME 2 once: FFmpeg's {@code prime_2_import_unsupported}. */
    private boolean prime2Refused;
    private int prime2Status = LibVa.VA_STATUS_SUCCESS;
    private int legacyStatus = LibVa.VA_STATUS_SUCCESS;

    public VaDmaBufImport(VaDevice device) {
        this.device = device;
    }

    /**
     * Why this NV12 layout cannot be described to libva, or null when it can: the descriptors hold sizes, offsets and
     * pitches as 32-bit values, both planes must lie inside the buffer, and the size must be even (4:2:0). Checked
     * before any import; allocation-free when the layout is good.
     */
    public static String problem(int fd, int width, int height, long objectSize, long yOffset, int yPitch,
                                 long uvOffset, int uvPitch) {
        if (fd >= 0 && width >= 2 && height >= 2 && (width & 1) == 0 && (height & 1) == 0 && yPitch >= width
                && uvPitch >= width && objectSize > 0 && objectSize <= U32 && yOffset >= 0 && uvOffset >= 0
                && yOffset + (long) yPitch * height <= objectSize
                && uvOffset + (long) uvPitch * (height / 2) <= objectSize) {
            return null;
        }
        if (fd < 0 || width < 2 || height < 2 || (width & 1) != 0 || (height & 1) != 0) {
            return "NV12 DMA-BUF fd " + fd + " of " + width + "x" + height + ": needs a valid fd and an even size of at"
                    + " least 2x2";
        }
        if (yPitch < width || uvPitch < width) {
            return "NV12 pitches " + yPitch + "/" + uvPitch + " are less than the width " + width;
        }
        if (objectSize <= 0 || objectSize > U32) {
            return "a DMA-BUF of " + objectSize + " bytes cannot be described to libva (its descriptors hold 32-bit"
                    + " sizes)";
        }
        return "NV12 planes at " + yOffset + "/" + uvOffset + " with pitches " + yPitch + "/" + uvPitch
                + " run past the " + objectSize + "-byte buffer";
    }

    /** Writes the two surface attributes and the DRM PRIME 2 descriptor they point to. */
    static void describePrime2(MemorySegment attribs, MemorySegment descriptor, int fd, int width, int height,
                               long objectSize, long modifier, long yOffset, int yPitch, long uvOffset, int uvPitch) {
        descriptor.fill((byte) 0);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.fourcc$OFFSET, LibVa.VA_FOURCC_NV12);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.width$OFFSET, width);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.height$OFFSET, height);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_objects$OFFSET, 1);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$fd$OFFSET, fd);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$size$OFFSET, (int) objectSize);
        descriptor.set(JAVA_LONG, VADRMPRIMESurfaceDescriptor.object$drm_format_modifier$OFFSET, modifier);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_layers$OFFSET, 1);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$drm_format$OFFSET, LibVa.DRM_FORMAT_NV12);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$num_planes$OFFSET, 2);
        // both planes in object 0 (object_index stays 0)
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$offset$OFFSET, (int) yOffset);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$offset$OFFSET + 4, (int) uvOffset);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$pitch$OFFSET, yPitch);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$pitch$OFFSET + 4, uvPitch);
        describeAttributes(attribs, LibVa.VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, descriptor);
    }

    /** Writes the two surface attributes and the legacy external-buffers descriptor (its buffer list at {@code fds}). */
    static void describePrime(MemorySegment attribs, MemorySegment descriptor, MemorySegment fds, int fd, int width,
                              int height, long objectSize, long yOffset, int yPitch, long uvOffset, int uvPitch) {
        descriptor.fill((byte) 0);
        fds.set(JAVA_LONG, 0, fd);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pixel_format$OFFSET, LibVa.VA_FOURCC_NV12);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.width$OFFSET, width);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.height$OFFSET, height);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.data_size$OFFSET, (int) objectSize);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.num_planes$OFFSET, 2);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pitches$OFFSET, yPitch);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pitches$OFFSET + 4, uvPitch);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.offsets$OFFSET, (int) yOffset);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.offsets$OFFSET + 4, (int) uvOffset);
        descriptor.set(JAVA_LONG, VASurfaceAttribExternalBuffers.buffers$OFFSET, fds.address());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.num_buffers$OFFSET, 1);
        describeAttributes(attribs, LibVa.VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME, descriptor);
    }

    private static void describeAttributes(MemorySegment attribs, int memoryType, MemorySegment descriptor) {
        attribs.fill((byte) 0);
        attribs.set(JAVA_INT, VASurfaceAttrib.type$OFFSET, LibVa.VASurfaceAttribMemoryType);
        attribs.set(JAVA_INT, VASurfaceAttrib.flags$OFFSET, LibVa.VA_SURFACE_ATTRIB_SETTABLE);
        attribs.set(JAVA_INT, VASurfaceAttrib.value$type$OFFSET, LibVa.VAGenericValueTypeInteger);
        attribs.set(JAVA_INT, VASurfaceAttrib.value$value$i$OFFSET, memoryType);
        long second = VASurfaceAttrib.sizeof();
        attribs.set(JAVA_INT, second + VASurfaceAttrib.type$OFFSET, LibVa.VASurfaceAttribExternalBufferDescriptor);
        attribs.set(JAVA_INT, second + VASurfaceAttrib.flags$OFFSET, LibVa.VA_SURFACE_ATTRIB_SETTABLE);
        attribs.set(JAVA_INT, second + VASurfaceAttrib.value$type$OFFSET, LibVa.VAGenericValueTypePointer);
        attribs.set(JAVA_LONG, second + VASurfaceAttrib.value$value$p$OFFSET, descriptor.address());
    }

    /**
     * Creates a VA surface backed by the DMA-BUF, whose layout {@link #problem} accepted: DRM PRIME 2 (unless this
     * display refused it before), then legacy DRM PRIME for a linear buffer.
     *
     * @return true with the surface at {@link #surface()}; false when the driver took neither ({@link #failure} says
     *         why)
     */
    public boolean importNv12(int fd, int width, int height, long objectSize, long modifier, long yOffset, int yPitch,
                              long uvOffset, int uvPitch) {
        long display = device.display();
        if (!prime2Refused) {
            describePrime2(attribs, prime2, fd, width, height, objectSize, modifier, yOffset, yPitch, uvOffset, uvPitch);
            prime2Status = LibVa.vaCreateSurfaces(display, LibVa.VA_RT_FORMAT_YUV420, width, height, surface, 1,
                    attribs, 2);
            if (prime2Status == LibVa.VA_STATUS_SUCCESS) {
                return true;
            }
            prime2Refused = true;
        } else {
            prime2Status = LibVa.VA_STATUS_SUCCESS; // not tried this time
        }
        if (modifier != LibVa.DRM_FORMAT_MOD_LINEAR) {
            legacyStatus = LibVa.VA_STATUS_SUCCESS;
            return false; // legacy DRM PRIME describes linear buffers only
        }
        describePrime(attribs, legacy, legacyFds, fd, width, height, objectSize, yOffset, yPitch, uvOffset, uvPitch);
        legacyStatus = LibVa.vaCreateSurfaces(display, LibVa.VA_RT_FORMAT_YUV420, width, height, surface, 1, attribs, 2);
        return legacyStatus == LibVa.VA_STATUS_SUCCESS;
    }

    /** The VASurfaceID the last successful import made (an unsigned 32-bit value in a long). */
    public long surface() {
        return Integer.toUnsignedLong(surface.get(JAVA_INT, 0));
    }

    /** Why the last {@link #importNv12} failed, naming both attempts' VA errors; off the hot path. */
    public String failure(int fd, int width, int height) {
        return "vaCreateSurfaces could not import the NV12 DMA-BUF (fd " + fd + ", " + width + "x" + height + ") on "
                + device.node() + ": DRM PRIME 2 " + (prime2Status == LibVa.VA_STATUS_SUCCESS ? "not tried (refused"
                + " earlier on this display)" : "gave " + LibVa.vaErrorStr(prime2Status) + " (" + prime2Status + ")")
                + ", DRM PRIME " + (legacyStatus == LibVa.VA_STATUS_SUCCESS ? "not tried (not a linear buffer)"
                : "gave " + LibVa.vaErrorStr(legacyStatus) + " (" + legacyStatus + ")");
    }

    /** Destroys a surface made by {@link #importNv12} (the buffer stays the pool's). */
    public void destroy(long surfaceId) {
        surface.set(JAVA_INT, 0, (int) surfaceId);
        LibVa.vaDestroySurfaces(device.display(), surface, 1);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

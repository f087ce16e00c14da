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
 * Imports an NV12 DMA-BUF (one buffer, two planes — what a guest's virtio-gpu resource or a capture API hands over)
 * as a VA surface with {@code vaCreateSurfaces}, so a frame passed by reference reaches the GPU encoder without
 * a CPU copy. Two descriptor forms, newest first:
 * <ul>
 *   <li>{@code VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2} with a {@code VADRMPRIMESurfaceDescriptor} (one object, one
 *       NV12 layer of two planes, the format modifier stated);</li>
 *   <li>{@code VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME} with a {@code VASurfaceAttribExternalBuffers} (linear only), for
 *       drivers that predate the first.</li>
 * </ul>
 * The surface does not own the fd (libva dups what it keeps); destroy the surface with {@link #destroy} once the
 * encoder is done with it.
 *
 * <p><b>Not run on this project's machines:</b> none has a render node. The struct layouts are checked against
 * va.h by {@code LibVaLayoutTest}, and {@code VaDmaBufImportTest} checks the descriptors this class writes field by
 * field; the call itself has only ever failed here (no display to call it on).
 */
public final class VaDmaBufImport {
    private VaDmaBufImport() {
    }

    /**
     * An NV12 picture in one DMA-BUF.
     *
     * @param fd         the DMA-BUF file descriptor (the caller keeps it open)
     * @param objectSize bytes in the buffer
     * @param modifier   DRM format modifier ({@link LibVa#DRM_FORMAT_MOD_LINEAR} for a linear buffer)
     * @param yOffset    where the Y plane starts; {@code uvOffset} the interleaved UV plane
     */
    public record Nv12DmaBuf(int fd, int width, int height, long objectSize, long modifier, int yOffset, int yPitch,
                             int uvOffset, int uvPitch) {
        public Nv12DmaBuf {
            if (fd < 0 || width < 2 || height < 2 || (width & 1) != 0 || (height & 1) != 0) {
                throw new IllegalArgumentException("NV12 DMA-BUF fd " + fd + " of " + width + "x" + height
                        + ": needs a valid fd and an even size of at least 2x2");
            }
            if (yPitch < width || uvPitch < width) {
                throw new IllegalArgumentException("NV12 pitches " + yPitch + "/" + uvPitch + " are less than the width "
                        + width);
            }
            if ((long) uvOffset + (long) uvPitch * (height / 2) > objectSize
                    || (long) yOffset + (long) yPitch * height > objectSize) {
                throw new IllegalArgumentException("NV12 planes at " + yOffset + "/" + uvOffset + " with pitches " + yPitch
                        + "/" + uvPitch + " run past the " + objectSize + "-byte buffer");
            }
        }
    }

    /** Writes the two surface attributes and the DRM PRIME 2 descriptor they point to. */
    static void describePrime2(Nv12DmaBuf buf, MemorySegment attribs, MemorySegment descriptor) {
        descriptor.fill((byte) 0);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.fourcc$OFFSET, LibVa.VA_FOURCC_NV12);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.width$OFFSET, buf.width());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.height$OFFSET, buf.height());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_objects$OFFSET, 1);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$fd$OFFSET, buf.fd());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$size$OFFSET, (int) buf.objectSize());
        descriptor.set(JAVA_LONG, VADRMPRIMESurfaceDescriptor.object$drm_format_modifier$OFFSET, buf.modifier());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_layers$OFFSET, 1);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$drm_format$OFFSET, LibVa.DRM_FORMAT_NV12);
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$num_planes$OFFSET, 2);
        // both planes in object 0 (object_index stays 0)
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$offset$OFFSET, buf.yOffset());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$offset$OFFSET + 4, buf.uvOffset());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$pitch$OFFSET, buf.yPitch());
        descriptor.set(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$pitch$OFFSET + 4, buf.uvPitch());
        describeAttributes(attribs, LibVa.VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, descriptor);
    }

    /** Writes the two surface attributes and the legacy external-buffers descriptor (its buffer list at {@code fds}). */
    static void describePrime(Nv12DmaBuf buf, MemorySegment attribs, MemorySegment descriptor, MemorySegment fds) {
        descriptor.fill((byte) 0);
        fds.set(JAVA_LONG, 0, buf.fd());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pixel_format$OFFSET, LibVa.VA_FOURCC_NV12);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.width$OFFSET, buf.width());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.height$OFFSET, buf.height());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.data_size$OFFSET, (int) buf.objectSize());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.num_planes$OFFSET, 2);
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pitches$OFFSET, buf.yPitch());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.pitches$OFFSET + 4, buf.uvPitch());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.offsets$OFFSET, buf.yOffset());
        descriptor.set(JAVA_INT, VASurfaceAttribExternalBuffers.offsets$OFFSET + 4, buf.uvOffset());
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
     * Creates a VA surface on {@code device} backed by the DMA-BUF: DRM PRIME 2 first, then legacy DRM PRIME.
     *
     * @return the VASurfaceID (an unsigned 32-bit value in a long)
     * @throws VaDevice.VaDeviceException naming both attempts' VA errors when the driver takes neither
     */
    public static long importNv12(VaDevice device, Nv12DmaBuf buf) throws VaDevice.VaDeviceException {
        device.requireOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attribs = arena.allocate(2 * VASurfaceAttrib.sizeof(), 8);
            MemorySegment surface = arena.allocate(JAVA_INT);
            MemorySegment prime2 = arena.allocate(VADRMPRIMESurfaceDescriptor.sizeof(), 8);
            describePrime2(buf, attribs, prime2);
            int status2 = LibVa.vaCreateSurfaces(device.display(), LibVa.VA_RT_FORMAT_YUV420, buf.width(), buf.height(),
                    surface, 1, attribs, 2);
            if (status2 == LibVa.VA_STATUS_SUCCESS) {
                return Integer.toUnsignedLong(surface.get(JAVA_INT, 0));
            }
            if (buf.modifier() != LibVa.DRM_FORMAT_MOD_LINEAR) {
                throw new VaDevice.VaDeviceException("vaCreateSurfaces could not import the NV12 DMA-BUF (fd " + buf.fd()
                        + ", modifier 0x" + Long.toHexString(buf.modifier()) + ") as DRM PRIME 2: "
                        + LibVa.vaErrorStr(status2) + " (VA status " + status2 + "); legacy DRM PRIME takes linear"
                        + " buffers only");
            }
            MemorySegment legacy = arena.allocate(VASurfaceAttribExternalBuffers.sizeof(), 8);
            MemorySegment fds = arena.allocate(JAVA_LONG);
            describePrime(buf, attribs, legacy, fds);
            int status = LibVa.vaCreateSurfaces(device.display(), LibVa.VA_RT_FORMAT_YUV420, buf.width(), buf.height(),
                    surface, 1, attribs, 2);
            if (status == LibVa.VA_STATUS_SUCCESS) {
                return Integer.toUnsignedLong(surface.get(JAVA_INT, 0));
            }
            throw new VaDevice.VaDeviceException("vaCreateSurfaces could not import the NV12 DMA-BUF (fd " + buf.fd()
                    + ", " + buf.width() + "x" + buf.height() + ") on " + device.node() + ": DRM PRIME 2 gave "
                    + LibVa.vaErrorStr(status2) + " (" + status2 + "), DRM PRIME gave " + LibVa.vaErrorStr(status)
                    + " (" + status + ")");
        }
    }

    /** Destroys a surface made by {@link #importNv12}. */
    public static void destroy(VaDevice device, long surfaceId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(JAVA_INT);
            id.set(JAVA_INT, 0, (int) surfaceId);
            LibVa.vaDestroySurfaces(device.display(), id, 1);
        }
    }
}

package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.LibVa;
import dev.framebridge.ffi.LibVa.VADRMPRIMESurfaceDescriptor;
import dev.framebridge.ffi.LibVa.VASurfaceAttrib;
import dev.framebridge.ffi.LibVa.VASurfaceAttribExternalBuffers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DMA-BUF import writes what libva reads: two surface attributes (memory type, then the descriptor pointer) and
 * a descriptor naming the fd, the NV12 layer and both planes' offsets and pitches — read back here through the
 * offsets LibVaLayoutTest checked against va.h. The import call itself needs a render node and is not run here.
 */
class VaDmaBufImportTest {
    private static final VaDmaBufImport.Nv12DmaBuf BUF = new VaDmaBufImport.Nv12DmaBuf(17, 1920, 1080,
            2048L * 1088 * 3 / 2, LibVa.DRM_FORMAT_MOD_LINEAR, 0, 2048, 2048 * 1088, 2048);

    @Test
    void drmPrime2DescribesOneObjectWithAnNv12LayerOfTwoPlanes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attribs = arena.allocate(2 * VASurfaceAttrib.sizeof(), 8);
            MemorySegment d = arena.allocate(VADRMPRIMESurfaceDescriptor.sizeof(), 8);
            VaDmaBufImport.describePrime2(BUF, attribs, d);
            assertEquals(LibVa.VASurfaceAttribMemoryType, attribs.get(JAVA_INT, VASurfaceAttrib.type$OFFSET));
            assertEquals(LibVa.VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
                    attribs.get(JAVA_INT, VASurfaceAttrib.value$value$i$OFFSET));
            long second = VASurfaceAttrib.sizeof();
            assertEquals(LibVa.VASurfaceAttribExternalBufferDescriptor,
                    attribs.get(JAVA_INT, second + VASurfaceAttrib.type$OFFSET));
            assertEquals(LibVa.VAGenericValueTypePointer, attribs.get(JAVA_INT, second + VASurfaceAttrib.value$type$OFFSET));
            assertEquals(d.address(), attribs.get(JAVA_LONG, second + VASurfaceAttrib.value$value$p$OFFSET));

            assertEquals(LibVa.VA_FOURCC_NV12, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.fourcc$OFFSET));
            assertEquals(1920, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.width$OFFSET));
            assertEquals(1080, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.height$OFFSET));
            assertEquals(1, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_objects$OFFSET));
            assertEquals(17, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$fd$OFFSET));
            assertEquals((int) BUF.objectSize(), d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$size$OFFSET));
            assertEquals(1, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.num_layers$OFFSET));
            assertEquals(LibVa.DRM_FORMAT_NV12, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$drm_format$OFFSET));
            assertEquals(2, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$num_planes$OFFSET));
            assertEquals(0, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$object_index$OFFSET + 4));
            assertEquals(2048 * 1088, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$offset$OFFSET + 4));
            assertEquals(2048, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer$pitch$OFFSET + 4));
            assertEquals(0, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.layer1$OFFSET), "only one layer");
        }
    }

    @Test
    void legacyDrmPrimeListsTheFdAndBothPlanes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attribs = arena.allocate(2 * VASurfaceAttrib.sizeof(), 8);
            MemorySegment d = arena.allocate(VASurfaceAttribExternalBuffers.sizeof(), 8);
            MemorySegment fds = arena.allocate(JAVA_LONG);
            VaDmaBufImport.describePrime(BUF, attribs, d, fds);
            assertEquals(LibVa.VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME,
                    attribs.get(JAVA_INT, VASurfaceAttrib.value$value$i$OFFSET));
            assertEquals(2, d.get(JAVA_INT, VASurfaceAttribExternalBuffers.num_planes$OFFSET));
            assertEquals(2048 * 1088, d.get(JAVA_INT, VASurfaceAttribExternalBuffers.offsets$OFFSET + 4));
            assertEquals(fds.address(), d.get(JAVA_LONG, VASurfaceAttribExternalBuffers.buffers$OFFSET));
            assertEquals(17, fds.get(JAVA_LONG, 0));
            assertEquals(1, d.get(JAVA_INT, VASurfaceAttribExternalBuffers.num_buffers$OFFSET));
        }
    }

    @Test
    void aBufferTooSmallForItsPlanesIsRefusedBeforeLibvaSeesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new VaDmaBufImport.Nv12DmaBuf(3, 1920, 1080, 1920 * 1080, 0, 0, 1920, 1920 * 1080, 1920));
        assertTrue(e.getMessage().contains("run past the 2073600-byte buffer"), e.getMessage());
    }
}

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
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The DMA-BUF import writes what libva reads: two surface attributes (memory type, then the descriptor pointer) and
 * a descriptor naming the fd, the NV12 layer and both planes' offsets and pitches — read back here through the
 * offsets LibVaLayoutTest checked against va.h; a layout the descriptors cannot carry is refused, with its numbers,
 * before libva is called. The import call itself needs a render node and is not run here.
 */
class VaDmaBufImportTest {
    private static final long SIZE = 2048L * 1088 * 3 / 2;

    @Test
    void drmPrime2DescribesOneObjectWithAnNv12LayerOfTwoPlanes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attribs = arena.allocate(2 * VASurfaceAttrib.sizeof(), 8);
            MemorySegment d = arena.allocate(VADRMPRIMESurfaceDescriptor.sizeof(), 8);
            VaDmaBufImport.describePrime2(attribs, d, 17, 1920, 1080, SIZE, LibVa.DRM_FORMAT_MOD_LINEAR, 0, 2048,
                    2048 * 1088, 2048);
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
            assertEquals((int) SIZE, d.get(JAVA_INT, VADRMPRIMESurfaceDescriptor.object$size$OFFSET));
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
            VaDmaBufImport.describePrime(attribs, d, fds, 17, 1920, 1080, SIZE, 0, 2048, 2048 * 1088, 2048);
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
    void aLayoutLibvaCanBeGivenHasNoProblem() {
        assertNull(VaDmaBufImport.problem(17, 1920, 1080, SIZE, 0, 2048, 2048 * 1088, 2048));
        // planes apart, padded pitches, the UV plane first: all fine as long as both lie inside the buffer
        assertNull(VaDmaBufImport.problem(3, 640, 480, 1_000_000, 400_000, 704, 4096, 704));
    }

    @Test
    void aBufferTooSmallForItsPlanesIsRefusedBeforeLibvaSeesIt() {
        assertEquals("NV12 planes at 0/2073600 with pitches 1920/1920 run past the 2073600-byte buffer",
                VaDmaBufImport.problem(3, 1920, 1080, 1920 * 1080, 0, 1920, 1920 * 1080, 1920));
    }

    @Test
    void aBufferBeyondWhatTheDescriptorsThirtyTwoBitFieldsHoldIsRefused() {
        long fiveGiB = 5L << 30;
        assertEquals("a DMA-BUF of " + fiveGiB + " bytes cannot be described to libva (its descriptors hold 32-bit"
                + " sizes)", VaDmaBufImport.problem(3, 1920, 1080, fiveGiB, 0, 1920, 1920 * 1080, 1920));
    }

    @Test
    void oddSizesShortPitchesAndBadFdsAreRefusedWithTheirNumbers() {
        assertEquals("NV12 DMA-BUF fd 3 of 641x480: needs a valid fd and an even size of at least 2x2",
                VaDmaBufImport.problem(3, 641, 480, SIZE, 0, 1024, 1024 * 480, 1024));
        assertEquals("NV12 DMA-BUF fd -1 of 640x480: needs a valid fd and an even size of at least 2x2",
                VaDmaBufImport.problem(-1, 640, 480, SIZE, 0, 1024, 1024 * 480, 1024));
        assertEquals("NV12 pitches 1024/320 are less than the width 640",
                VaDmaBufImport.problem(3, 640, 480, SIZE, 0, 1024, 1024 * 480, 320));
    }
}

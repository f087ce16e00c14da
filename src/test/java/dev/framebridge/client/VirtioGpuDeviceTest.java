package dev.framebridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What a machine without virtio-gpu gets from {@link VirtioGpuDevice}: a message naming the fix, not a crash. (The
 * device itself is exercised in the test guest, scenario gpu: src/test/vm.)
 */
class VirtioGpuDeviceTest {

    @Test
    void aMissingDrmNodeSaysHowToGetOne() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> VirtioGpuDevice.open(Path.of("/dev/dri/card-that-does-not-exist")));
        assertEquals(LibC.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("-device virtio-gpu-pci") && e.getMessage().contains("modprobe virtio_gpu"),
                e.getMessage());
    }

    @Test
    void aFileThatIsNoDrmDeviceIsNamedAsSuchByTheVersionIoctl() {
        // DRM_IOCTL_VERSION really reaches the kernel: /dev/null answers ENOTTY
        ErrnoException e = assertThrows(ErrnoException.class, () -> VirtioGpuDevice.open(Path.of("/dev/null")));
        assertEquals(LibC.ENOTTY, e.errno());
        assertTrue(e.getMessage().contains("VERSION") && e.getMessage().contains("not a DRM device"), e.getMessage());
    }
}

package dev.framebridge.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The libc calls behind buffer pools, against the real kernel: memfd_create, seals, ftruncate, statx, mmap/munmap
 * (shared, read-only), passing the memfd over a Unix socket, and the DMA-BUF sync ioctl refusing what is not one.
 */
class MemfdMmapTest {
    private static final long SIZE = 1 << 16;
    private final Errno errno = new Errno();
    private final Arena arena = Arena.ofConfined();
    private int fd = -1;

    @AfterEach
    void close() {
        if (fd >= 0) {
            LibC.close(errno, fd);
        }
        arena.close();
    }

    private int memfd(int flags) {
        int f = LibC.memfd_create(errno, arena.allocateFrom("framebridge-test"), flags);
        assertTrue(f >= 0, "memfd_create: " + Errno.name(errno.get()));
        return f;
    }

    @Test
    void aSealedMemfdCannotShrinkAndItsSealsReadBack() {
        fd = memfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        assertEquals(0, LibC.ftruncate(errno, fd, SIZE));
        assertEquals(0, LibC.fcntl(errno, fd, LibC.F_GET_SEALS), "a fresh sealable memfd carries no seal");
        assertEquals(0, LibC.fcntl(errno, fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW));
        assertEquals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW, LibC.fcntl(errno, fd, LibC.F_GET_SEALS));
        assertEquals(-1, LibC.ftruncate(errno, fd, SIZE / 2));
        assertEquals(LibC.EPERM, errno.get(), "shrinking a F_SEAL_SHRINK file is refused");
        assertEquals(SIZE, LibC.lseek(errno, fd, 0, LibC.SEEK_END));
    }

    @Test
    void aMemfdWithoutAllowSealingSaysSoThroughItsSeals() {
        fd = memfd(LibC.MFD_CLOEXEC);
        assertEquals(LibC.F_SEAL_SEAL, LibC.fcntl(errno, fd, LibC.F_GET_SEALS), "no MFD_ALLOW_SEALING: sealed against seals");
        assertEquals(-1, LibC.fcntl(errno, fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK));
        assertEquals(LibC.EPERM, errno.get());
    }

    @Test
    void getSealsOnSomethingThatIsNotShmemIsEinval() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try {
            assertEquals(-1, LibC.fcntl(errno, pair[0].fd(), LibC.F_GET_SEALS));
            assertEquals(LibC.EINVAL, errno.get());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void statxTellsSizeAndIdentity() {
        fd = memfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        LibC.ftruncate(errno, fd, SIZE);
        MemorySegment stx = arena.allocate(LibCLayouts.statx);
        int mask = LibC.STATX_TYPE | LibC.STATX_INO | LibC.STATX_SIZE;
        assertEquals(0, LibC.statx(errno, fd, arena.allocateFrom(""), LibC.AT_EMPTY_PATH, mask, stx));
        assertEquals(SIZE, stx.get(JAVA_LONG, LibCLayouts.STX_SIZE));
        assertEquals(LibC.S_IFREG, stx.get(JAVA_SHORT, LibCLayouts.STX_MODE) & LibC.S_IFMT, "a memfd is a regular file");
        long ino = stx.get(JAVA_LONG, LibCLayouts.STX_INO);

        int other = memfd(LibC.MFD_CLOEXEC);
        try {
            assertEquals(0, LibC.statx(errno, other, arena.allocateFrom(""), LibC.AT_EMPTY_PATH, mask, stx));
            assertNotEquals(ino, stx.get(JAVA_LONG, LibCLayouts.STX_INO), "each memfd is its own inode");
        } finally {
            LibC.close(errno, other);
        }
    }

    @Test
    void aReadOnlySharedMappingSeesWritesThroughAnotherMappingOfTheFdPassedOverASocket() throws Exception {
        fd = memfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        LibC.ftruncate(errno, fd, SIZE);
        long writable = LibC.mmap(errno, 0, SIZE, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        assertNotEquals(LibC.MAP_FAILED, writable, () -> "mmap rw: " + Errno.name(errno.get()));

        NativeSocket[] pair = NativeSocket.pair();
        int received;
        try {
            MemorySegment one = arena.allocate(1);
            assertEquals(1, pair[0].sendWithFds(one, 0, 1, new int[] {fd}, 1));
            int[] fds = new int[1];
            assertEquals(1, pair[1].readWithFds(one, 0, 1, fds));
            assertEquals(1, pair[1].receivedFdCount());
            received = fds[0];
        } finally {
            pair[0].close();
            pair[1].close();
        }
        long readOnly = LibC.mmap(errno, 0, SIZE, LibC.PROT_READ, LibC.MAP_SHARED, received, 0);
        assertNotEquals(LibC.MAP_FAILED, readOnly, () -> "mmap ro: " + Errno.name(errno.get()));
        assertEquals(0, LibC.close(errno, received), "the mapping outlives the fd");
        try {
            MemorySegment w = MemorySegment.ofAddress(writable).reinterpret(SIZE);
            MemorySegment r = MemorySegment.ofAddress(readOnly).reinterpret(SIZE);
            w.set(JAVA_INT, 4096, 0x12345678);
            w.set(JAVA_BYTE, SIZE - 1, (byte) 7);
            assertEquals(0x12345678, r.get(JAVA_INT, 4096), "both mappings are the same pages");
            assertEquals(7, r.get(JAVA_BYTE, SIZE - 1));
        } finally {
            assertEquals(0, LibC.munmap(errno, readOnly, SIZE));
            assertEquals(0, LibC.munmap(errno, writable, SIZE));
        }
    }

    @Test
    void mmapOfAPipeLikeFdFails() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try {
            assertEquals(LibC.MAP_FAILED, LibC.mmap(errno, 0, SIZE, LibC.PROT_READ, LibC.MAP_SHARED, pair[0].fd(), 0));
            assertEquals(LibC.ENODEV, errno.get(), "a socket cannot be mapped");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void theDmaBufSyncIoctlIsRefusedByAMemfd() {
        fd = memfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        DmaBuf dmaBuf = new DmaBuf();
        assertFalse(dmaBuf.isDmaBuf(fd));
        assertEquals(-1, dmaBuf.beginRead(fd));
        assertEquals(LibC.ENOTTY, dmaBuf.errno(), "only a DMA-BUF implements DMA_BUF_IOCTL_SYNC");
    }

    @Test
    void openAndMapAFileReadOnly() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("framebridge-region", ".bin");
        try {
            byte[] content = new byte[8192];
            content[100] = 42;
            java.nio.file.Files.write(file, content);
            int f = LibC.open(errno, arena.allocateFrom(file.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            assertTrue(f >= 0, "open: " + Errno.name(errno.get()));
            long map = LibC.mmap(errno, 0, 8192, LibC.PROT_READ, LibC.MAP_SHARED, f, 0);
            LibC.close(errno, f);
            assertNotEquals(LibC.MAP_FAILED, map);
            assertEquals(42, MemorySegment.ofAddress(map).reinterpret(8192).get(JAVA_BYTE, 100));
            assertEquals(0, LibC.munmap(errno, map, 8192));
            assertEquals(-1, LibC.open(errno, arena.allocateFrom(file + ".missing"), LibC.O_RDONLY, 0));
            assertEquals(LibC.ENOENT, errno.get());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}

package dev.framebridge.frame;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.framebridge.ffi.DmaBuf;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Decides whether a file descriptor may be a pool and maps it read-only ({@link #mapFd}), or maps a host region file
 * ({@link #mapFile}). Off the hot path (once per registration); used by one thread.
 *
 * <p>The rule that keeps the host alive: a mapping must never lose its pages under the reader, or the read dies of
 * SIGBUS. A memfd is accepted only with F_SEAL_SHRINK (checked with F_GET_SEALS); a DMA-BUF's size is fixed by its
 * exporter. Anything else an fd can be (a regular file, a pipe, a socket) is refused.
 */
public final class BufferMapper {
    private static final int STATX_MASK = LibC.STATX_TYPE | LibC.STATX_MODE | LibC.STATX_INO | LibC.STATX_SIZE;

    private final Errno errno = new Errno();
    private final DmaBuf dmaBuf = new DmaBuf();
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment statx = arena.allocate(LibCLayouts.statx);
    private final MemorySegment emptyPath = arena.allocateFrom("");

    /**
     * Checks and maps {@code fd}, taking ownership of it: it is closed on refusal, and after mapping unless it is a
     * DMA-BUF (whose fd the mapping keeps for its sync ioctl).
     *
     * @param wantedSize bytes the client will address; 0 for all of the buffer
     */
    public MappedBuffer mapFd(int fd, long wantedSize) throws BufferRefusedException {
        boolean keepFd = false;
        try {
            if (LibC.statx(errno, fd, emptyPath, LibC.AT_EMPTY_PATH, STATX_MASK, statx) != 0) {
                throw new BufferRefusedException(BufferRefusedException.Reason.NOT_MAPPABLE,
                        "the fd passed cannot be inspected (statx: " + LibC.strerror(errno.get()) + ")");
            }
            long device = ((long) statx.get(JAVA_INT, LibCLayouts.STX_DEV_MAJOR) << 32)
                    | (statx.get(JAVA_INT, LibCLayouts.STX_DEV_MINOR) & 0xFFFF_FFFFL);
            long inode = statx.get(JAVA_LONG, LibCLayouts.STX_INO);
            int seals = LibC.fcntl(errno, fd, LibC.F_GET_SEALS);
            MappedBuffer.Kind kind;
            long size;
            if (seals >= 0) {
                requireShrinkSeal(seals);
                kind = MappedBuffer.Kind.MEMFD;
                size = statx.get(JAVA_LONG, LibCLayouts.STX_SIZE);
            } else if (dmaBuf.isDmaBuf(fd)) {
                kind = MappedBuffer.Kind.DMABUF;
                size = LibC.lseek(errno, fd, 0, LibC.SEEK_END);
                if (size < 0) {
                    throw new BufferRefusedException(BufferRefusedException.Reason.NOT_MAPPABLE,
                            "the DMA-BUF does not tell its size (lseek: " + LibC.strerror(errno.get()) + ")");
                }
            } else {
                throw new BufferRefusedException(BufferRefusedException.Reason.NOT_MAPPABLE, "the fd passed is "
                        + describe(statx.get(JAVA_SHORT, LibCLayouts.STX_MODE)) + ", neither a memfd nor a DMA-BUF: "
                        + "create the pool with memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING), ftruncate, and "
                        + "fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)");
            }
            long mapSize = checkSize(size, wantedSize);
            long address = LibC.mmap(errno, 0, mapSize, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
            if (address == LibC.MAP_FAILED) {
                throw new BufferRefusedException(BufferRefusedException.Reason.NOT_MAPPABLE, "mmap of the "
                        + (kind == MappedBuffer.Kind.DMABUF ? "DMA-BUF (its exporter must allow CPU access)" : "memfd")
                        + " failed: " + LibC.strerror(errno.get()));
            }
            keepFd = kind == MappedBuffer.Kind.DMABUF;
            return new MappedBuffer(kind, address, mapSize, keepFd ? fd : -1, device, inode);
        } finally {
            if (!keepFd) {
                LibC.close(errno, fd);
            }
        }
    }

    private static void requireShrinkSeal(int seals) throws BufferRefusedException {
        if ((seals & LibC.F_SEAL_SHRINK) != 0) {
            return;
        }
        if ((seals & LibC.F_SEAL_SEAL) != 0) {
            throw new BufferRefusedException(BufferRefusedException.Reason.UNSEALED, "the memfd cannot be sealed"
                    + " (created without MFD_ALLOW_SEALING): create it with memfd_create(name, MFD_CLOEXEC |"
                    + " MFD_ALLOW_SEALING), ftruncate it, then fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)");
        }
        throw new BufferRefusedException(BufferRefusedException.Reason.UNSEALED, "the memfd is not sealed against"
                + " shrinking (a file that shrinks under the host's mapping would crash it with SIGBUS): after ftruncate,"
                + " call fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) before sending it");
    }

    private static long checkSize(long size, long wanted) throws BufferRefusedException {
        if (size <= 0) {
            throw new BufferRefusedException(BufferRefusedException.Reason.SIZE,
                    "the buffer is empty: ftruncate it to the pool's size before sealing and sending it");
        }
        if (wanted < 0 || wanted > size) {
            throw new BufferRefusedException(BufferRefusedException.Reason.SIZE, "size "
                    + Long.toUnsignedString(wanted) + " exceeds the buffer's " + size + " bytes");
        }
        return wanted == 0 ? size : wanted;
    }

    private static String describe(short mode) {
        return switch (mode & LibC.S_IFMT) {
            case 0x8000 -> "a regular file";
            case 0x1000 -> "a pipe";
            case 0xC000 -> "a socket";
            case 0x2000 -> "a character device";
            case 0x4000 -> "a directory";
            case 0x6000 -> "a block device";
            default -> "an anonymous file (" + Integer.toOctalString(mode & 0xFFFF) + ")";
        };
    }

    /**
     * Maps a host region read-only: {@code size} bytes of {@code path} (0: the whole file), for {@code serve --region}.
     * The file must be a regular file (or a device such as a shared-memory device node) at least that long.
     */
    public static MappedBuffer mapFile(Path path, long size) throws IOException {
        Errno errno = new Errno();
        try (Arena a = Arena.ofConfined()) {
            int fd = LibC.open(errno, a.allocateFrom(path.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                throw errno.exception("open(" + path + ")", "the region's file must exist and be readable by serve");
            }
            try {
                MemorySegment stx = a.allocate(LibCLayouts.statx);
                if (LibC.statx(errno, fd, a.allocateFrom(""), LibC.AT_EMPTY_PATH, STATX_MASK, stx) != 0) {
                    throw errno.exception("statx(" + path + ")");
                }
                long fileSize = stx.get(JAVA_LONG, LibCLayouts.STX_SIZE);
                if ((stx.get(JAVA_SHORT, LibCLayouts.STX_MODE) & LibC.S_IFMT) == LibC.S_IFREG) {
                    if (fileSize == 0) {
                        throw new IOException("region " + path + " is empty: start the VM that backs it first (QEMU"
                                + " creates the memory-backend-file at its size), or give the file its size");
                    }
                    if (size > fileSize) {
                        throw new IOException("region " + path + " is " + fileSize + " bytes, smaller than the "
                                + size + " bytes asked for");
                    }
                } else if (size == 0) {
                    throw new IOException("region " + path + " is not a regular file: give its size (NAME=PATH:SIZE)");
                }
                long mapSize = size == 0 ? fileSize : size;
                long address = LibC.mmap(errno, 0, mapSize, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
                if (address == LibC.MAP_FAILED) {
                    throw errno.exception("mmap(" + path + ", " + mapSize + " bytes)");
                }
                return new MappedBuffer(MappedBuffer.Kind.REGION, address, mapSize, -1,
                        ((long) stx.get(JAVA_INT, LibCLayouts.STX_DEV_MAJOR) << 32)
                                | (stx.get(JAVA_INT, LibCLayouts.STX_DEV_MINOR) & 0xFFFF_FFFFL),
                        stx.get(JAVA_LONG, LibCLayouts.STX_INO));
            } finally {
                LibC.close(errno, fd);
            }
        }
    }
}

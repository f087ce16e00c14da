package dev.framebridge.client;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A buffer pool a producer draws frames into and the host reads in place: a memfd of a fixed size, sealed so that it
 * can neither shrink nor grow (the host refuses a memfd it could lose pages of), mapped read-write here. Register it
 * with {@link HxfrClient#registerPool(MemfdPool)} over a Unix socket, then send {@link HxfrClient#sendFrameRef}s
 * naming offsets in it.
 *
 * <p>Ownership: bytes of a frame sent by reference belong to the host until its answer arrives; write the next
 * frame elsewhere in the pool (two or more frame areas, used in turn) and reuse an area only after its answer.
 */
public final class MemfdPool implements AutoCloseable {
    private final int fd;
    private final long size;
    private final long address;
    private final MemorySegment segment;
    private boolean closed;

    private MemfdPool(int fd, long size, long address) {
        this.fd = fd;
        this.size = size;
        this.address = address;
        this.segment = MemorySegment.ofAddress(address).reinterpret(size);
    }

    /**
     * Creates a sealed pool of {@code size} bytes ({@code memfd_create} with MFD_ALLOW_SEALING, {@code ftruncate},
     * {@code F_ADD_SEALS} F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, then a shared read-write mapping).
     *
     * @param name shown in {@code /proc/PID/fd} as {@code /memfd:NAME}
     */
    public static MemfdPool create(String name, long size) throws ErrnoException {
        if (size <= 0) {
            throw new IllegalArgumentException("pool size " + size + " must be positive");
        }
        Errno errno = new Errno();
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = LibC.memfd_create(errno, a.allocateFrom(name), LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        }
        if (fd < 0) {
            throw errno.exception("memfd_create(" + name + ")", "Linux 3.17+ is needed for memfd pools");
        }
        boolean done = false;
        try {
            if (LibC.ftruncate(errno, fd, size) != 0) {
                throw errno.exception("ftruncate(memfd, " + size + ")", "is /dev/shm (or the memory cgroup) full?");
            }
            if (LibC.fcntl(errno, fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL) != 0) {
                throw errno.exception("fcntl(memfd, F_ADD_SEALS)");
            }
            long address = LibC.mmap(errno, 0, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (address == LibC.MAP_FAILED) {
                throw errno.exception("mmap(memfd, " + size + " bytes)");
            }
            done = true;
            return new MemfdPool(fd, size, address);
        } finally {
            if (!done) {
                LibC.close(errno, fd);
            }
        }
    }

    /** The memfd (passed to the host with SCM_RIGHTS; the host gets its own copy). */
    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** The whole pool, mapped read-write; valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Unmaps and closes this process's fd; the host keeps its own mapping until the pool is unregistered. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Errno errno = new Errno();
        LibC.munmap(errno, address, size);
        LibC.close(errno, fd);
    }
}

package dev.framebridge.frame;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.MemorySegment;

/**
 * A buffer the host maps read-only to read frames by reference: a sealed memfd or a DMA-BUF a client passed, or a
 * host region (a file such as the one behind a QEMU ivshmem device). Made by {@link BufferMapper}; unmapped by
 * {@link #close()}, which its owner calls only when nothing can read it any more (for a connection's pool: after the
 * encode agent let go of the connection).
 *
 * <p>Readers use {@link #address()} plus offsets the I/O agent has bounds-checked against {@link #size()}; the
 * mapping is {@code PROT_READ}, so a bug cannot write into a client's memory.
 */
public final class MappedBuffer implements AutoCloseable {
    /** What the mapping is of. */
    public enum Kind {
        MEMFD, DMABUF, REGION
    }

    private final Kind kind;
    private final long address;
    private final long size;
    private final int dmaBufFd;
    private final long device;
    private final long inode;
    private final MemorySegment segment;
    private boolean closed;

    MappedBuffer(Kind kind, long address, long size, int dmaBufFd, long device, long inode) {
        this.kind = kind;
        this.address = address;
        this.size = size;
        this.dmaBufFd = dmaBufFd;
        this.device = device;
        this.inode = inode;
        this.segment = MemorySegment.ofAddress(address).reinterpret(size).asReadOnly();
    }

    public Kind kind() {
        return kind;
    }

    /** Address of the first mapped byte. */
    public long address() {
        return address;
    }

    /** Bytes mapped. */
    public long size() {
        return size;
    }

    /** A read-only view of the mapping (made once); valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The DMA-BUF's fd, kept for {@code DMA_BUF_IOCTL_SYNC}; -1 for other kinds. */
    public int dmaBufFd() {
        return dmaBufFd;
    }

    /** Whether {@code other} maps the same file (device and inode): one buffer registered twice. */
    public boolean sameFileAs(MappedBuffer other) {
        return device == other.device && inode == other.inode;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Unmaps (and closes a DMA-BUF's fd); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Errno errno = new Errno();
        LibC.munmap(errno, address, size);
        if (dmaBufFd >= 0) {
            LibC.close(errno, dmaBufFd);
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " of " + size + " bytes" + (closed ? " (unmapped)" : "");
    }
}

package dev.framebridge.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code <linux/dma-buf.h>}: bracketing CPU access to a mapped DMA-BUF with {@code DMA_BUF_IOCTL_SYNC}, so the
 * exporter can make the buffer coherent for the CPU (flush a GPU cache, copy from VRAM) before the reads and release it
 * after. Checked against {@code native-build/probes/dmabuf.c} by {@code LibCLayoutTest}; the ioctl itself is
 * {@link LibC#ioctl}.
 *
 * <p>One instance per thread that reads DMA-BUFs: it holds the preallocated {@code struct dma_buf_sync} and errno
 * capture, so syncing allocates nothing.
 */
public final class DmaBuf {
    public static final int DMA_BUF_SYNC_READ = 1;
    public static final int DMA_BUF_SYNC_WRITE = 2;
    public static final int DMA_BUF_SYNC_RW = 3;
    public static final int DMA_BUF_SYNC_START = 0;
    public static final int DMA_BUF_SYNC_END = 4;
    /** {@code _IOW('b', 0, struct dma_buf_sync)}. */
    public static final int DMA_BUF_IOCTL_SYNC = 0x40086200;

    /* struct dma_buf_sync { __u64 flags; }   8 bytes */
    public static final StructLayout dma_buf_sync = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags")
    ).withName("dma_buf_sync");
    public static final long FLAGS = dma_buf_sync.byteOffset(groupElement("flags"));

    private final Errno errno = new Errno();
    private final MemorySegment sync = Arena.ofAuto().allocate(dma_buf_sync);

    /** Before the CPU reads {@code fd}'s mapping; returns 0 or -1 (errno in {@link #errno()}). EINTR is retried. */
    public int beginRead(int fd) {
        return syncCall(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
    }

    /** After the CPU's reads of {@code fd}'s mapping. */
    public int endRead(int fd) {
        return syncCall(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
    }

    /** The errno of the last failed call (ENOTTY: {@code fd} is not a DMA-BUF). */
    public int errno() {
        return errno.get();
    }

    /** Whether {@code fd} is a DMA-BUF: only a DMA-BUF answers the sync ioctl (anything else says ENOTTY or EINVAL). */
    public boolean isDmaBuf(int fd) {
        if (beginRead(fd) != 0) {
            return false;
        }
        endRead(fd);
        return true;
    }

    private int syncCall(int fd, long flags) {
        sync.set(JAVA_LONG, FLAGS, flags);
        while (true) {
            int rc = LibC.ioctl(errno, fd, DMA_BUF_IOCTL_SYNC, sync.address());
            if (rc == 0 || errno.get() != LibC.EINTR && errno.get() != LibC.EAGAIN) {
                return rc;
            }
        }
    }
}

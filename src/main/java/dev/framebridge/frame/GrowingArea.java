package dev.framebridge.frame;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.MemorySegment;

/**
 * Frame memory that costs what is written into it: an anonymous private mapping ({@code mmap} with
 * {@code MAP_NORESERVE}) whose pages the kernel provides, one at a time, when they are first written — so a
 * declared 64 MiB frame costs address space only until its bytes arrive — and that {@code munmap} hands back to
 * the system at once, so the process's resident memory really drops.
 *
 * <p>Why not the alternatives: {@code Arena.allocate} zeroes the whole area up front (88 MiB written before the
 * first pixel of a 4096×4095 frame arrives), and {@code malloc}/{@code free} keeps freed blocks in its arenas
 * (glibc raises its mmap threshold after the first large free), so memory never returns. A {@code PROT_NONE}
 * reservation made writable chunk by chunk ({@code mprotect}) would let the MMU enforce the budget, but a
 * write past the charged part by native code (libyuv, x264) would then kill the JVM with SIGSEGV; here the
 * budget is kept by the writers (the socket read is limited to the charged part) and a mistake can only
 * miscount.
 *
 * <p>Two kernel settings blur the picture a little: with {@code vm.overcommit_memory=2} the kernel ignores
 * {@code MAP_NORESERVE} and counts the whole mapping against its commit limit when it is made (a mapping it will
 * not grant is an ERROR for that frame), and with transparent huge pages {@code always} a written page may come as
 * a 2 MiB one, so resident memory can exceed the charge by less than 2 MiB per area.
 *
 * <p>Accounting is in {@link #CHUNK}s: the owner charges a chunk to the budget before any byte of it is written
 * and {@link #markCharged} records it; {@link #charged()} is an upper bound of the area's resident memory. The
 * mapping is replaced only when a larger size is asked for (a frame size change), never per frame. One thread at
 * a time (the owner's); allocation-free except when the mapping changes.
 */
final class GrowingArea {
    /** Accounting granularity: a whole number of pages. */
    static final long CHUNK = Math.max(256 * 1024, LibC.getpagesize());
    private static final long[] NONE = new long[0];

    private final Errno errno = new Errno();
    private long address;
    private long reserved;
    private long charged;
    /** One bit per chunk: charged (may have been written) since the area was mapped. */
    private long[] chargedChunks = NONE;
    private MemorySegment segment = MemorySegment.NULL;

    static long roundUp(long bytes) {
        return (bytes + CHUNK - 1) / CHUNK * CHUNK;
    }

    /** The mapped area (all of it, charged or not); {@link MemorySegment#NULL} when nothing is mapped. */
    MemorySegment segment() {
        return segment;
    }

    /** Address space mapped, a whole number of chunks. */
    long reserved() {
        return reserved;
    }

    /** Bytes charged (the chunks that may have been written). */
    long charged() {
        return charged;
    }

    /**
     * Maps at least {@code bytes} of address space, nothing charged. The area must be empty ({@link #release}
     * first). @return false when the system refused the mapping ({@link #lastErrno()} says why)
     */
    boolean map(long bytes) {
        if (address != 0) {
            throw new IllegalStateException("area already mapped: release it first");
        }
        long size = roundUp(Math.max(bytes, 1));
        long at = LibC.mmap(errno, 0, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (at == LibC.MAP_FAILED) {
            return false;
        }
        address = at;
        reserved = size;
        charged = 0;
        chargedChunks = new long[(int) ((size / CHUNK + 63) / 64)];
        segment = MemorySegment.ofAddress(at).reinterpret(size);
        return true;
    }

    int lastErrno() {
        return errno.get();
    }

    /** Bytes of the chunks overlapping [{@code from}, {@code to}) that are not charged yet. */
    long uncharged(long from, long to) {
        if (charged == reserved || to <= from) {
            return 0;
        }
        long bytes = 0;
        for (long c = from / CHUNK, end = chunkEnd(to); c < end; c++) {
            if (!isCharged(c)) {
                bytes += CHUNK;
            }
        }
        return bytes;
    }

    /** Records the chunks overlapping [{@code from}, {@code to}) as charged; returns the bytes newly recorded. */
    long markCharged(long from, long to) {
        if (charged == reserved || to <= from) {
            return 0;
        }
        long bytes = 0;
        for (long c = from / CHUNK, end = chunkEnd(to); c < end; c++) {
            if (!isCharged(c)) {
                chargedChunks[(int) (c >>> 6)] |= 1L << c;
                bytes += CHUNK;
            }
        }
        charged += bytes;
        return bytes;
    }

    private long chunkEnd(long to) {
        return Math.min(reserved, roundUp(to)) / CHUNK;
    }

    private boolean isCharged(long chunk) {
        return (chargedChunks[(int) (chunk >>> 6)] & (1L << chunk)) != 0;
    }

    /** Unmaps the area (its pages go back to the system); returns the bytes that were charged, to credit. */
    long release() {
        long was = charged;
        if (address != 0) {
            if (LibC.munmap(errno, address, reserved) != 0) {
                // Cannot happen for a mapping made by map() (munmap fails only on bad arguments): a bug, said loudly.
                throw new IllegalStateException("munmap failed: " + LibC.strerror(errno.get()));
            }
            address = 0;
            reserved = 0;
            charged = 0;
            chargedChunks = NONE;
            segment = MemorySegment.NULL;
        }
        return was;
    }
}

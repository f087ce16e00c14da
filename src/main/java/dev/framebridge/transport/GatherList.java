package dev.framebridge.transport;

import static dev.framebridge.ffi.LibCLayouts.IOV_BASE;
import static dev.framebridge.ffi.LibCLayouts.IOV_LEN;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.framebridge.ffi.LibCLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A preallocated {@code struct iovec} array for one gathering write (for example an HXFR header plus the
 * encoder's own NAL memory), and the cursor that lets a partial write resume where it stopped.
 *
 * <pre>
 *   list.clear().add(header, 0, 36).add(nal, 0, nalSize);
 *   while (!list.isEmpty()) { if (socket.writev(list) == 0) { wait for EPOLLOUT; } }
 * </pre>
 * {@link NativeSocket#writev} consumes what the kernel took: fully written entries are skipped and the
 * first partial one is shortened in place. Nothing is allocated after construction. The segments added
 * must be native and stay alive until the list is empty or cleared; the list keeps references to them
 * so an automatic arena's memory cannot be freed meanwhile. One thread at a time.
 */
public final class GatherList {
    /** Linux UIO_MAXIOV: sendmsg refuses more entries than this. */
    public static final int MAX_CAPACITY = 1024;

    private final MemorySegment iov;
    private final MemorySegment[] keepAlive;
    private final int capacity;
    private int first;
    private int count;
    private long remaining;

    public GatherList(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("gather list capacity " + capacity + " is outside 1-" + MAX_CAPACITY);
        }
        this.capacity = capacity;
        this.iov = Arena.ofAuto().allocate(LibCLayouts.iovec.byteSize() * capacity, LibCLayouts.iovec.byteAlignment());
        this.keepAlive = new MemorySegment[capacity];
    }

    public GatherList clear() {
        for (int i = 0; i < count; i++) {
            keepAlive[i] = null;
        }
        first = 0;
        count = 0;
        remaining = 0;
        return this;
    }

    /** Appends {@code len} bytes of {@code segment} from {@code offset}; a zero length is skipped. */
    public GatherList add(MemorySegment segment, long offset, long len) {
        Objects.checkFromIndexSize(offset, len, segment.byteSize());
        if (!segment.isNative()) {
            throw new IllegalArgumentException("gathering writes need native (off-heap) segments");
        }
        if (len == 0) {
            return this;
        }
        if (count == capacity) {
            throw new IllegalStateException("gather list is full (" + capacity + " entries); make it larger");
        }
        long at = count * LibCLayouts.iovec.byteSize();
        iov.set(JAVA_LONG, at + IOV_BASE, segment.address() + offset);
        iov.set(JAVA_LONG, at + IOV_LEN, len);
        keepAlive[count++] = segment;
        remaining += len;
        return this;
    }

    /**
     * Appends {@code len} bytes at a raw native address the caller keeps alive until the write completes
     * (an encoder's own output memory, which it exposes as an address to avoid a segment per frame).
     */
    public GatherList addNative(long address, long len) {
        if (len == 0) {
            return this;
        }
        if (address == 0) {
            throw new IllegalArgumentException("gather list entry at address 0");
        }
        if (count == capacity) {
            throw new IllegalStateException("gather list is full (" + capacity + " entries); make it larger");
        }
        long at = count * LibCLayouts.iovec.byteSize();
        iov.set(JAVA_LONG, at + IOV_BASE, address);
        iov.set(JAVA_LONG, at + IOV_LEN, len);
        keepAlive[count++] = null;
        remaining += len;
        return this;
    }

    /** Bytes not yet written. */
    public long remaining() {
        return remaining;
    }

    public boolean isEmpty() {
        return remaining == 0;
    }

    /** Entries not yet fully written. */
    int pendingEntries() {
        return count - first;
    }

    /** Address of the first entry not yet fully written. */
    long pendingAddress() {
        return iov.address() + first * LibCLayouts.iovec.byteSize();
    }

    /** Checks every pending segment is still alive, so the kernel never reads freed memory. */
    void checkAlive() {
        for (int i = first; i < count; i++) {
            if (keepAlive[i] != null && !keepAlive[i].scope().isAlive()) {
                throw new IllegalStateException("gather list entry " + i + " refers to memory whose arena is closed");
            }
        }
    }

    /** Consumes {@code written} bytes from the front. */
    void advance(long written) {
        remaining -= written;
        long stride = LibCLayouts.iovec.byteSize();
        while (written > 0) {
            long at = first * stride;
            long len = iov.get(JAVA_LONG, at + IOV_LEN);
            if (written >= len) {
                written -= len;
                keepAlive[first] = null;
                first++;
            } else {
                iov.set(JAVA_LONG, at + IOV_BASE, iov.get(JAVA_LONG, at + IOV_BASE) + written);
                iov.set(JAVA_LONG, at + IOV_LEN, len - written);
                written = 0;
            }
        }
    }
}

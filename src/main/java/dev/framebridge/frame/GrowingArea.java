package dev.framebridge.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory that is reallocated only when a larger size is asked for (a frame size change), never per frame,
 * and can be freed while its owner stays. 64-byte aligned, as libyuv's and x264's SIMD like.
 */
final class GrowingArea {
    private Arena arena;
    private MemorySegment segment = MemorySegment.NULL;

    /** The area, at least {@code bytes} long. */
    MemorySegment atLeast(long bytes) {
        if (segment.byteSize() < bytes) {
            free();
            arena = Arena.ofShared();
            segment = arena.allocate(bytes, 64);
        }
        return segment;
    }

    MemorySegment segment() {
        return segment;
    }

    long size() {
        return segment.byteSize();
    }

    void free() {
        if (arena != null) {
            arena.close();
            arena = null;
            segment = MemorySegment.NULL;
        }
    }
}

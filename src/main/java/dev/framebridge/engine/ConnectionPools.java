package dev.framebridge.engine;

import dev.framebridge.frame.MappedBuffer;

/**
 * A connection's side of the extensions: whether it sent HELLO and what was granted, the fd that arrived with its
 * REGISTER_POOL, and its pools (small arrays, searched linearly: a few entries). Touched by the I/O agent only.
 *
 * <p>A pool being released (UNREGISTER_POOL seen, its answer not yet written) refuses new frames but stays mapped:
 * earlier frames may still be in the encoder. It is unmapped once the answer that releases it is written, i.e. once
 * every earlier request has been answered.
 */
final class ConnectionPools {
    /** Sequence number meaning "not being released". */
    private static final long LIVE = -1;

    /** The connection can carry fds (a Unix socket). */
    boolean fdCapable;
    /** HELLO was accepted on this connection. */
    boolean hello;
    /** Capabilities granted by the HELLO_RESP. */
    int granted;
    /** The fd that arrived with the message being read, or -1. */
    int pendingFd = -1;

    final int[] ids;
    final MappedBuffer[] buffers;
    /** Bytes of each pool the client may address (a region pool may use less than the whole region). */
    final long[] sizes;
    /** The region's name for region pools (shared mappings: never unmapped here), else null. */
    final String[] regions;
    /** The request sequence of the UNREGISTER_POOL releasing each pool, or {@link #LIVE}. */
    final long[] releasedBy;
    int count;
    int releasing;

    ConnectionPools(int maxPools) {
        ids = new int[maxPools];
        buffers = new MappedBuffer[maxPools];
        sizes = new long[maxPools];
        regions = new String[maxPools];
        releasedBy = new long[maxPools];
    }

    void reset(boolean fdCapable) {
        this.fdCapable = fdCapable;
        hello = false;
        granted = 0;
        pendingFd = -1;
        count = 0;
        releasing = 0;
    }

    /** Whether reads of message headers and bodies must collect fds (recvmsg): HELLO granted fd pools. */
    boolean receivesFds() {
        return fdCapable && (granted & dev.framebridge.protocol.Hxfr.CAP_POOL_FD) != 0;
    }

    /** Index of pool {@code id} on this connection, or -1. */
    int indexOf(int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    boolean isReleasing(int index) {
        return releasedBy[index] != LIVE;
    }

    boolean isFull() {
        return count == ids.length;
    }

    int add(int id, MappedBuffer buffer, long size, String region) {
        int i = count++;
        ids[i] = id;
        buffers[i] = buffer;
        sizes[i] = size;
        regions[i] = region;
        releasedBy[i] = LIVE;
        return i;
    }

    void markReleasing(int index, long sequence) {
        releasedBy[index] = sequence;
        releasing++;
    }

    /** Removes pool {@code index} (order is not kept) and returns its buffer. */
    MappedBuffer remove(int index) {
        MappedBuffer b = buffers[index];
        if (isReleasing(index)) {
            releasing--;
        }
        int last = --count;
        ids[index] = ids[last];
        buffers[index] = buffers[last];
        sizes[index] = sizes[last];
        regions[index] = regions[last];
        releasedBy[index] = releasedBy[last];
        buffers[last] = null;
        regions[last] = null;
        return b;
    }

    /** The sequence number of the request releasing pool {@code index}. */
    long releasedBy(int index) {
        return releasedBy[index];
    }
}

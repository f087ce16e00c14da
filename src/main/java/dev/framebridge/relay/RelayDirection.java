package dev.framebridge.relay;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One direction of a relayed connection: bytes read from {@code from} go through one off-heap buffer (allocated
 * once per connection) to {@code to}. When {@code from} reaches end of stream and the buffer is empty, the write
 * side of {@code to} is shut down, so the half-close travels on exactly as it arrived.
 *
 * <p>{@link #pump} never blocks and allocates nothing: read, count headers, write, until the kernel says EAGAIN.
 */
final class RelayDirection {
    final String name;
    final NativeSocket from;
    final NativeSocket to;
    final HxfrStreamCounter counter;
    private final MemorySegment buffer;
    private long readAt;   // next byte to send
    private long fillAt;   // end of buffered bytes
    private long bytes;
    private boolean fromEnded;
    private boolean shutDown;

    RelayDirection(String name, NativeSocket from, NativeSocket to, Arena arena, int bufferBytes,
                   HxfrStreamCounter.HeaderListener trace) {
        this.name = name;
        this.from = from;
        this.to = to;
        this.buffer = arena.allocate(bufferBytes, 64);
        this.counter = new HxfrStreamCounter(trace);
    }

    /**
     * Moves what can move now.
     *
     * @return bytes moved (read plus written); 0 when nothing could
     * @throws ErrnoException from the read side (it reset) or the write side (it is gone), named by the socket
     */
    long pump() throws ErrnoException {
        long moved = 0;
        while (true) {
            long progress = 0;
            if (!fromEnded && fillAt < buffer.byteSize()) {
                long n = from.read(buffer, fillAt, buffer.byteSize() - fillAt);
                if (n < 0) {
                    fromEnded = true;
                } else if (n > 0) {
                    counter.accept(buffer, fillAt, n);
                    fillAt += n;
                    bytes += n;
                    progress += n;
                }
            }
            if (readAt < fillAt) {
                long n = to.write(buffer, readAt, fillAt - readAt);
                readAt += n;
                progress += n;
                if (readAt == fillAt) {
                    readAt = 0;
                    fillAt = 0;
                } else if (fillAt == buffer.byteSize() && readAt > 0) {
                    MemorySegment.copy(buffer, readAt, buffer, 0, fillAt - readAt); // make room to read again
                    fillAt -= readAt;
                    readAt = 0;
                }
            }
            if (fromEnded && readAt == fillAt && !shutDown) {
                shutDown = true;
                to.shutdownOutput();
                progress++;
            }
            if (progress == 0) {
                return moved;
            }
            moved += progress;
        }
    }

    boolean wantsRead() {
        return !fromEnded && fillAt < buffer.byteSize();
    }

    boolean wantsWrite() {
        return readAt < fillAt;
    }

    /** The source sent end of stream and it has been passed on. */
    boolean done() {
        return shutDown;
    }

    boolean fromEnded() {
        return fromEnded;
    }

    long bytes() {
        return bytes;
    }

    long pending() {
        return fillAt - readAt;
    }
}

package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Integer socket options (int and 64-bit), set and read at setup time (never on the hot path). */
final class SocketOptions {
    private SocketOptions() {
    }

    /** The send buffer vsockenc asks for on TCP; frames are large and latency matters more than memory. */
    static final int CLIENT_SEND_BUFFER = 1 << 20;

    static void setInt(Errno e, int fd, int level, int name, int value, String call) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            if (LibC.setsockopt(e, fd, level, name, v, Integer.BYTES) < 0) {
                throw e.exception(call);
            }
        }
    }

    static void setLong(Errno e, int fd, int level, int name, long value, String call) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_LONG, value);
            if (LibC.setsockopt(e, fd, level, name, v, Long.BYTES) < 0) {
                throw e.exception(call);
            }
        }
    }

    static long getLong(Errno e, int fd, int level, int name, String call) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_LONG);
            MemorySegment len = arena.allocateFrom(JAVA_INT, Long.BYTES);
            if (LibC.getsockopt(e, fd, level, name, v, len) < 0) {
                throw e.exception(call);
            }
            return v.get(JAVA_LONG, 0);
        }
    }

    static int getInt(Errno e, int fd, int level, int name, String call) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocateFrom(JAVA_INT, Integer.BYTES);
            if (LibC.getsockopt(e, fd, level, name, v, len) < 0) {
                throw e.exception(call);
            }
            return v.get(JAVA_INT, 0);
        }
    }

    /** TCP_NODELAY on, so small answers (headers, PONGs) leave at once instead of waiting for Nagle. */
    static void tcpNoDelay(Errno e, int fd, String what) throws ErrnoException {
        setInt(e, fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1, "setsockopt(" + what + ", TCP_NODELAY)");
    }

    /** A socket's pending error (SO_ERROR), how a non-blocking connect reports its outcome. */
    static int pendingError(Errno e, int fd, String what) throws ErrnoException {
        return getInt(e, fd, LibC.SOL_SOCKET, LibC.SO_ERROR, "getsockopt(" + what + ", SO_ERROR)");
    }

    static void closeQuietly(Errno e, int fd) {
        if (fd >= 0) {
            LibC.close(e, fd);
        }
    }
}

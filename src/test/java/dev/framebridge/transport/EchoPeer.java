package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The far end for the socket tests, on its own thread: accepts one connection from a listener,
 * optionally plays a VMM's hybrid-vsock handshake, then echoes everything until end of stream and
 * half-closes. Uses only the classes under test, with a 64 KiB buffer so large payloads take many reads.
 */
final class EchoPeer implements AutoCloseable {
    private final SocketListener listener;
    private final String handshakeAnswer;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile String handshakeRequest;
    volatile long echoed;
    volatile String acceptedPeer;
    private volatile NativeSocket accepted;

    /** @param handshakeAnswer null for a plain echo; else read one "CONNECT n\n" line and answer this */
    EchoPeer(SocketListener listener, String handshakeAnswer) {
        this.listener = listener;
        this.handshakeAnswer = handshakeAnswer;
        this.thread = Thread.ofPlatform().name("echo-peer").daemon().start(this::run);
    }

    private void run() {
        try (Arena arena = Arena.ofConfined(); Epoll epoll = new Epoll(4)) {
            epoll.add(listener.fd(), dev.framebridge.ffi.LibC.EPOLLIN);
            NativeSocket s = null;
            while (s == null) {
                epoll.wait(100);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                s = listener.accept();
            }
            accepted = s;
            acceptedPeer = s.peer();
            MemorySegment buf = arena.allocate(64 * 1024);
            if (handshakeAnswer != null) {
                int len = 0;
                while (true) {
                    long n = s.read(buf, len, 1);
                    if (n < 0) {
                        return;
                    }
                    if (n == 0) {
                        s.awaitReadable(100);
                        continue;
                    }
                    if (buf.get(JAVA_BYTE, len) == '\n') {
                        break;
                    }
                    len++;
                }
                handshakeRequest = new String(buf.asSlice(0, len).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
                byte[] answer = handshakeAnswer.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(answer, 0, buf, JAVA_BYTE, 0, answer.length);
                writeFully(s, buf, answer.length);
                if (!handshakeAnswer.startsWith("OK ")) {
                    s.close();
                    return;
                }
            }
            while (true) {
                long n = s.read(buf, 0, buf.byteSize());
                if (n < 0) {
                    s.shutdownOutput();
                    return;
                }
                if (n == 0) {
                    s.awaitReadable(100);
                    continue;
                }
                writeFully(s, buf, n);
                echoed += n;
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static void writeFully(NativeSocket s, MemorySegment buf, long len) throws Exception {
        long off = 0;
        while (off < len) {
            long n = s.write(buf, off, len - off);
            if (n == 0) {
                s.awaitWritable(100);
            }
            off += n;
        }
    }

    /** Waits for the thread and rethrows what went wrong on it. */
    void join(long timeoutMs) throws Exception {
        thread.join(timeoutMs);
        if (thread.isAlive()) {
            throw new AssertionError("echo peer still running after " + timeoutMs + " ms");
        }
        if (failure.get() != null) {
            throw new AssertionError("echo peer failed", failure.get());
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(5000);
        NativeSocket s = accepted;
        if (s != null) {
            s.close();
        }
    }
}

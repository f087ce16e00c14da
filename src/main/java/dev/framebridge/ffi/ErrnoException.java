package dev.framebridge.ffi;

import java.io.IOException;

/**
 * A failed libc call: the call (with what it was called on), the errno value, its {@code strerror}
 * text and symbolic name, and, where we know one, how to fix it. For example
 * {@code connect(unix:/tmp/x): No such file or directory (ENOENT) — is framebridge running?}
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno, String hint) {
        super(call + ": " + LibC.strerror(errno) + " (" + Errno.name(errno) + ")"
                + (hint == null || hint.isEmpty() ? "" : " — " + hint));
        this.call = call;
        this.errno = errno;
    }

    /** The failed call and its subject, e.g. {@code connect(unix:/tmp/x)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}

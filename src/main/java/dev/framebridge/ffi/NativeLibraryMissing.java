package dev.framebridge.ffi;

/** A native library (or one of its symbols) is not on this machine; the message names the package to install. */
public final class NativeLibraryMissing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryMissing(String message) {
        super(message);
    }
}

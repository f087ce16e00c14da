package dev.framebridge.protocol;

/** HXFR error codes (the {@code error_code} of an ERROR message). */
public final class ErrorCode {
    private ErrorCode() {
    }

    public static final int OK = 0;
    public static final int INVALID_MSG = -1;
    public static final int RESOURCE_NOT_FOUND = -2;
    public static final int NOT_METAL_TEXTURE = -3;
    public static final int NO_IOSURFACE = -4;
    public static final int ENCODE_FAILED = -5;
    public static final int NOT_CONFIGURED = -6;
    /** Extension: a per-connection limit is reached (pools registered at once). */
    public static final int LIMIT = -7;
    /** Extension: the buffer cannot be a pool (an unsealed memfd, an fd that cannot be mapped). */
    public static final int POOL_REFUSED = -8;
    public static final int INTERNAL = -99;

    public static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case INVALID_MSG -> "INVALID_MSG";
            case RESOURCE_NOT_FOUND -> "RESOURCE_NOT_FOUND";
            case NOT_METAL_TEXTURE -> "NOT_METAL_TEXTURE";
            case NO_IOSURFACE -> "NO_IOSURFACE";
            case ENCODE_FAILED -> "ENCODE_FAILED";
            case NOT_CONFIGURED -> "NOT_CONFIGURED";
            case LIMIT -> "LIMIT";
            case POOL_REFUSED -> "POOL_REFUSED";
            case INTERNAL -> "INTERNAL";
            default -> "UNKNOWN(" + code + ")";
        };
    }
}

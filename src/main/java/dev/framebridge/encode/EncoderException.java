package dev.framebridge.encode;

/** An encoder could not open, reconfigure or encode; the message says why and, where known, what to do. */
public class EncoderException extends Exception {
    private static final long serialVersionUID = 1L;

    public EncoderException(String message) {
        super(message);
    }

    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}

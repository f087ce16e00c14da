package dev.framebridge.encode;

/**
 * The encoder itself failed — its device was lost, it returned an error for a good frame, it broke the one access
 * unit per frame promise — as opposed to the caller's frame being wrong. The encoder may not produce a usable stream
 * from here on, so a session should move to another encoder (see {@link FailoverEncoder}) rather than retry it.
 */
public class EncoderBrokenException extends EncoderException {
    private static final long serialVersionUID = 1L;

    public EncoderBrokenException(String message) {
        super(message);
    }
}

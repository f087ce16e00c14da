package dev.framebridge.relay;

/**
 * Whether a relayed target is leaving requests unanswered: a request (a message the host must answer) went through
 * towards the target, and not one byte has come back since. Once that has lasted {@code afterNs} past the last byte
 * sent towards the target (a large frame still being uploaded is not a silence), the episode is due to be reported,
 * once; the first byte back ends it. The relay's clock is passed in, so this is plain arithmetic, tested by hand.
 */
final class TargetSilence {
    private final long afterNs;
    private long requestsAnswered; // requests forwarded up to the target's last byte back
    private boolean waiting;
    private long since;            // when the first unanswered request went through
    private long lastUpNs;         // when bytes last moved towards the target
    private int firstType;
    private boolean reported;
    private int episodes;
    private long longestNs;

    TargetSilence(long afterNs) {
        if (afterNs <= 0) {
            throw new IllegalArgumentException("silence threshold must be positive, not " + afterNs + " ns");
        }
        this.afterNs = afterNs;
    }

    /** Bytes moved towards the target; {@code requests} is the running count of requests seen in that direction. */
    void upMoved(long requests, int lastRequestType, long nowNs) {
        lastUpNs = nowNs;
        if (!waiting && requests > requestsAnswered) {
            waiting = true;
            since = nowNs;
            firstType = lastRequestType;
        }
    }

    /**
     * The target sent bytes: every request so far counts as answered.
     *
     * @return how long the reported silence lasted, or -1 when none was reported
     */
    long targetSent(long requests, long nowNs) {
        long ended = -1;
        if (reported) {
            ended = nowNs - since;
            longestNs = Math.max(longestNs, ended);
        }
        waiting = false;
        reported = false;
        requestsAnswered = requests;
        return ended;
    }

    /** A silence is building up that has not been reported yet: {@link #dueAt()} means something. */
    boolean pending() {
        return waiting && !reported;
    }

    /** When the pending silence is to be reported: {@code afterNs} past the later of the request and the last upload. */
    long dueAt() {
        long from = lastUpNs - since > 0 ? lastUpNs : since;
        return from + afterNs;
    }

    /** True exactly once per episode, when it first becomes due. */
    boolean becameDue(long nowNs) {
        if (pending() && nowNs - dueAt() >= 0) {
            reported = true;
            episodes++;
            return true;
        }
        return false;
    }

    /** The current wait (since the first unanswered request), for the report line. */
    long silentForNs(long nowNs) {
        return waiting ? nowNs - since : 0;
    }

    int firstRequestType() {
        return firstType;
    }

    long unanswered(long requests) {
        return requests - requestsAnswered;
    }

    /** Episodes reported, the one still going included. */
    int episodes() {
        return episodes;
    }

    /** The longest reported episode, one still going counted up to now. */
    long longestNs(long nowNs) {
        return reported ? Math.max(longestNs, nowNs - since) : longestNs;
    }

    boolean silentNow() {
        return reported;
    }
}

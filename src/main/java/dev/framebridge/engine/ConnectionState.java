package dev.framebridge.engine;

import dev.framebridge.ffi.LibC;
import dev.framebridge.protocol.MessageFlyweight;

/**
 * The life of one connection: which part of which message is being read, and what the I/O agent must watch the
 * socket for. Every phase change is one of the transitions below, and nothing else writes these fields; the
 * {@link RequestReader} drives the reading phases, the {@link IoAgent} the rest. I/O agent's thread only.
 *
 * <pre>
 *            open
 *   FREE ──────────▶ HEADER ──header in, fixed body due──▶ BODY ──body in, pixels due──▶ PAYLOAD
 *    ▲                │ ▲  ╲                                 │                              │
 *    │                │ │   ╲──header in, payload unwanted──▶ SKIP ◀──body in, extra bytes──┘──pixels in, tail
 *    │                │ └───────────── message done ─────────┘ (also PAYLOAD without a tail)   padding to skip
 *    │                │
 *    │                │ fatal rejection (framing lost), or the peer half-closed with requests in flight
 *    │                │ (half-closed mid-message: the partial message is dropped first, back to HEADER at 0)
 *    │                ▼
 *    │         ANSWER_THEN_CLOSE ──last answer written, our side shut──▶ LINGER ──peer closed / grace over──┐
 *    │                                                                                                    ▼
 *    └───────── the encode agent let go of the session ◀──────────── CLOSING ◀──────── close (any open phase)
 * </pre>
 *
 * <p>Besides the phase: whether reading is paused by back-pressure (the window of slots is full, or the server is
 * draining), whether an answer is part-written (the socket was full), and the epoll events last registered, so the
 * agent changes its registration only when {@link #wantedEvents()} differs.
 *
 * <p>A new message type that has a fixed body needs nothing here (HEADER → BODY → SKIP/HEADER); one whose payload
 * goes into memory of its own uses {@link #expectPayload} like FRAME_REQUEST's pixels.
 */
final class ConnectionState {
    static final int FREE = 0;
    /** Reading a message header (12 bytes). */
    static final int HEADER = 1;
    /** Reading the fixed body that follows the header (its length depends on the type). */
    static final int BODY = 2;
    /** Reading a payload into memory of its own (a frame's pixels, straight into its slot). */
    static final int PAYLOAD = 3;
    /** Discarding payload bytes nobody needs (unknown types, padding, a rejected frame's pixels). */
    static final int SKIP = 4;
    /** Read nothing more; close once every request read so far is answered. */
    static final int ANSWER_THEN_CLOSE = 5;
    /**
     * Every answer is written and our side is shut: discard input until the peer closes or a grace period ends, so
     * closing does not reset the connection before the peer has read the last answer.
     */
    static final int LINGER = 6;
    /** Socket closed; waiting for the encode agent to let go of the session before it is reused. */
    static final int CLOSING = 7;

    private int phase = FREE;
    /** Bytes of the current part (header, header + body, payload, skip) read so far. */
    private long position;
    /** Bytes the current part has in all. */
    private long target;
    /** Payload bytes to skip once the current PAYLOAD is in (padding after the pixels the encoder reads). */
    private long skipAfter;
    private boolean readPaused;
    private boolean writeBlocked;
    private int registeredEvents;

    // ---- what the phase says -----------------------------------------------------------------------------

    int phase() {
        return phase;
    }

    boolean isOpen() {
        return phase >= HEADER && phase <= LINGER;
    }

    boolean isFree() {
        return phase == FREE;
    }

    boolean isClosing() {
        return phase == CLOSING;
    }

    /** In one of the phases that read a message (HEADER, BODY, PAYLOAD, SKIP). */
    boolean reading() {
        return phase >= HEADER && phase <= SKIP;
    }

    boolean lingering() {
        return phase == LINGER;
    }

    boolean answeringThenClosing() {
        return phase == ANSWER_THEN_CLOSE;
    }

    /** Part of a message has been read and the rest has not. */
    boolean midMessage() {
        return phase == BODY || phase == PAYLOAD || phase == SKIP || (phase == HEADER && position > 0);
    }

    /** Between messages: the next byte starts a header. */
    boolean betweenMessages() {
        return phase == HEADER && position == 0;
    }

    long position() {
        return position;
    }

    long remaining() {
        return target - position;
    }

    boolean readPaused() {
        return readPaused;
    }

    // ---- epoll interest ----------------------------------------------------------------------------------

    /** The events the socket should be watched for in this state. */
    int wantedEvents() {
        int events = 0;
        if ((reading() && !readPaused) || phase == LINGER) {
            events |= LibC.EPOLLIN | LibC.EPOLLRDHUP;
        }
        if (writeBlocked) {
            events |= LibC.EPOLLOUT;
        }
        return events;
    }

    int registeredEvents() {
        return registeredEvents;
    }

    void registered(int events) {
        registeredEvents = events;
    }

    // ---- transitions -------------------------------------------------------------------------------------

    /** FREE → HEADER: a connection was accepted into this session. */
    void open() {
        require(phase == FREE, "open");
        phase = HEADER;
        position = 0;
        target = MessageFlyweight.HEADER_LENGTH;
        skipAfter = 0;
        readPaused = false;
        writeBlocked = false;
        registeredEvents = 0;
    }

    /** {@code n} more bytes of the current part arrived. */
    void advance(long n) {
        position += n;
    }

    /** HEADER → BODY: the header is in and {@code headerAndBody} bytes in all make the message's fixed part. */
    void expectBody(long headerAndBody) {
        require(phase == HEADER && position == MessageFlyweight.HEADER_LENGTH, "expectBody");
        phase = BODY;
        target = headerAndBody;
    }

    /** BODY → PAYLOAD: the fixed part is in; {@code bytes} go into memory of their own, then {@code skipAfter} are skipped. */
    void expectPayload(long bytes, long skipAfter) {
        require(phase == BODY && position == target && bytes > 0 && skipAfter >= 0, "expectPayload");
        phase = PAYLOAD;
        position = 0;
        target = bytes;
        this.skipAfter = skipAfter;
    }

    /** HEADER or BODY, complete → SKIP the message's remaining {@code bytes}, or straight to the next HEADER. */
    void skip(long bytes) {
        require((phase == HEADER || phase == BODY) && position == target && bytes >= 0, "skip");
        startSkipOrNextHeader(bytes);
    }

    /** PAYLOAD or SKIP, complete → SKIP the payload's tail, or the next HEADER. */
    void partDone() {
        require((phase == PAYLOAD || phase == SKIP) && position == target, "partDone");
        long tail = phase == PAYLOAD ? skipAfter : 0;
        skipAfter = 0;
        startSkipOrNextHeader(tail);
    }

    /**
     * PAYLOAD, part-read → SKIP what is left of it and its tail: the frame was refused while its pixels arrived (the
     * engine's frame memory limit), so the rest of the message is read and dropped.
     */
    void abandonPayload() {
        require(phase == PAYLOAD && position < target, "abandonPayload");
        long rest = target - position + skipAfter;
        skipAfter = 0;
        startSkipOrNextHeader(rest);
    }

    private void startSkipOrNextHeader(long bytes) {
        position = 0;
        if (bytes > 0) {
            phase = SKIP;
            target = bytes;
        } else {
            phase = HEADER;
            target = MessageFlyweight.HEADER_LENGTH;
        }
    }

    /**
     * Mid-message (BODY, PAYLOAD, SKIP, or HEADER part-read) → HEADER between messages: the peer finished sending in
     * the middle of a message, so the part that came is dropped. It never becomes a request (nothing whole to
     * answer); what was submitted before it is still answered ({@link #answerThenClose}). Returns the bytes of the
     * current part that were read and are dropped.
     */
    long dropPartialMessage() {
        require(midMessage(), "dropPartialMessage");
        long dropped = position;
        phase = HEADER;
        position = 0;
        target = MessageFlyweight.HEADER_LENGTH;
        skipAfter = 0;
        return dropped;
    }

    /** A reading phase → ANSWER_THEN_CLOSE: framing is lost (fatal rejection) or the peer sent its last byte. */
    void answerThenClose() {
        require(reading(), "answerThenClose");
        phase = ANSWER_THEN_CLOSE;
    }

    /** ANSWER_THEN_CLOSE → LINGER: the last answer is written and our side is shut down. */
    void linger() {
        require(phase == ANSWER_THEN_CLOSE, "linger");
        phase = LINGER;
        writeBlocked = false;
    }

    /** Any open phase → CLOSING: the socket is closed. */
    void closing() {
        require(isOpen(), "closing");
        phase = CLOSING;
        writeBlocked = false;
        readPaused = false;
    }

    /** CLOSING → FREE: the encode agent let go of the session. */
    void free() {
        require(phase == CLOSING, "free");
        phase = FREE;
    }

    /** Back-pressure: stop watching for input. Returns whether reading was running until now. */
    boolean pauseReading() {
        boolean was = !readPaused;
        readPaused = true;
        return was;
    }

    /** An answer went out: the window has room again (the reader pauses once more if it has not). */
    void resumeReading() {
        readPaused = false;
    }

    /** An answer is part-written (the socket is full): watch for room to write; or it is done. */
    void writeBlocked(boolean blocked) {
        writeBlocked = blocked;
    }

    private void require(boolean legal, String transition) {
        if (!legal) {
            throw new IllegalStateException(transition + " is not a transition from " + name(phase) + " (position "
                    + position + " of " + target + ")");
        }
    }

    static String name(int phase) {
        return switch (phase) {
            case FREE -> "FREE";
            case HEADER -> "HEADER";
            case BODY -> "BODY";
            case PAYLOAD -> "PAYLOAD";
            case SKIP -> "SKIP";
            case ANSWER_THEN_CLOSE -> "ANSWER_THEN_CLOSE";
            case LINGER -> "LINGER";
            case CLOSING -> "CLOSING";
            default -> "phase " + phase;
        };
    }

    @Override
    public String toString() {
        return name(phase) + (midMessage() ? " " + position + "/" + target : "") + (readPaused ? " paused" : "")
                + (writeBlocked ? " write-blocked" : "");
    }
}

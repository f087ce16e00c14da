package dev.framebridge.engine;

import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.transport.GatherList;
import dev.framebridge.transport.NativeSocket;

/** What the I/O agent keeps per connection. Touched by the I/O agent's thread only. */
final class IoConnection {
    static final int FREE = 0;
    static final int OPEN = 1;
    /** Socket closed; waiting for the encode agent to let go of the session (CLOSED) before reuse. */
    static final int CLOSING = 2;

    static final int READ_HEADER = 0;
    static final int READ_BODY = 1;
    static final int READ_PIXELS = 2;
    static final int READ_SKIP = 3;
    /** A fatal rejection was answered (or will be): read nothing more, close once every answer is written. */
    static final int READ_NONE = 4;
    /** The fatal answer is written and our side shut down: discard input until the peer closes (or a grace period
     * ends), so closing does not reset the connection before the peer has read the ERROR. */
    static final int READ_DISCARD = 5;

    final Session session;
    final GatherList gather = new GatherList(2);
    int state = FREE;
    NativeSocket socket;
    String peer;

    long submitted;
    long answered;
    long answersReady;
    /** Answers that came back from the encode agent, written or (after a close) dropped. */
    long answersReceived;

    int readPhase;
    long readPosition;
    long readTarget;
    long skipRemaining;
    long lastProgressNanos;
    boolean readInterest;
    boolean writeInterest;

    boolean writing;
    FrameSlot writeSlot;
    final ConvertOnArrival converter = new ConvertOnArrival();
    /** The frame memory this connection's slots hold, against its limit (set once by the I/O agent). */
    ConnectionMemory memory;
    /** HELLO, granted capabilities and registered pools (frames by reference). */
    final ConnectionPools pools;

    long lingerDeadline;
    long openedNanos;
    long frames;
    long errors;
    long bytesIn;
    long bytesOut;
    String closeReason;

    IoConnection(Session session, int maxPools) {
        this.session = session;
        this.pools = new ConnectionPools(maxPools);
    }

    /** @param fdCapable the socket is a Unix socket, so fds can arrive with messages (fd pools) */
    void reset(NativeSocket socket, String peer, boolean fdCapable, long now) {
        pools.reset(fdCapable);
        this.socket = socket;
        this.peer = peer;
        state = OPEN;
        submitted = 0;
        answered = 0;
        answersReady = 0;
        answersReceived = 0;
        readPhase = READ_HEADER;
        readPosition = 0;
        readTarget = 0;
        skipRemaining = 0;
        lastProgressNanos = now;
        readInterest = true;
        writeInterest = false;
        writing = false;
        writeSlot = null;
        gather.clear();
        openedNanos = now;
        frames = 0;
        errors = 0;
        bytesIn = 0;
        bytesOut = 0;
        closeReason = null;
    }

    int inFlight() {
        return (int) (submitted - answered);
    }

    /** True while part of a message has been read and the rest has not. */
    boolean midMessage() {
        return readPhase == READ_BODY || readPhase == READ_PIXELS || readPhase == READ_SKIP
                || (readPhase == READ_HEADER && readPosition > 0);
    }
}

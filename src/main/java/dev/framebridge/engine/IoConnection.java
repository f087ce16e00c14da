package dev.framebridge.engine;

import dev.framebridge.frame.ConnectionMemory;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.push.PushSubscriber;
import dev.framebridge.transport.GatherList;
import dev.framebridge.transport.NativeSocket;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What the I/O agent keeps per connection: the socket, its {@link ConnectionState}, the in-order request counts,
 * the answer being written, and the totals its close line reports. Touched by the I/O agent's thread only.
 */
final class IoConnection {
    final Session session;
    final ConnectionState state = new ConnectionState();
    final GatherList gather = new GatherList(2);
    final ConvertOnArrival converter = new ConvertOnArrival();
    NativeSocket socket;
    String peer;
    /** The frame memory this connection's slots hold, against its limit (set once by the I/O agent). */
    ConnectionMemory memory;
    /** HELLO, granted capabilities and registered pools (frames by reference). */
    final ConnectionPools pools;

    long submitted;
    long answered;
    long answersReady;
    /** Answers that came back from the encode agent, written or (after a close) dropped. */
    long answersReceived;

    /** The slot whose answer is being written (part-written when the socket was full); null between answers. */
    FrameSlot writeSlot;

    /** Last byte received (the stall timeout). */
    long lastProgressNanos;
    /** Last byte received or answer written (the idle timeout; the longest idle is closed first for a newcomer). */
    long lastActivityNanos;
    /** Last byte of a part-written answer the peer took (a peer that reads nothing stalls like one that sends nothing). */
    long lastWriteProgressNanos;
    /** The minimum receive rate's current window for the message in progress: when it began and bytesIn then. */
    long receiveWindowStart;
    long receiveWindowBytes;
    long lingerDeadline;
    long openedNanos;
    /** When epoll last reported the socket readable, and when its last request was complete (stage "wait"). */
    long readableNanos;
    long lastSubmitNanos;
    long frames;
    long errors;
    long bytesIn;
    long bytesOut;
    /** Why the connection will close once its answers are written (ANSWER_THEN_CLOSE), and what that counts as. */
    String closeReason;
    AtomicCounter closeCause;

    // push mode (touched by the I/O agent only): the subscription, and the message being pushed
    PushSubscriber subscriber;
    dev.framebridge.push.PushSource pushSource;
    long pushScanout;
    long pushDropsSeen;
    /** A pushed message (a frame, or the ERROR that ends the subscription) is in the gather list, maybe part-written. */
    boolean pushWriting;
    boolean pushEnding;
    private java.lang.foreign.Arena prefixArena;
    private java.lang.foreign.Arena bodyArena;
    private java.lang.foreign.MemorySegment pushPrefix;
    private java.lang.foreign.MemorySegment pushBody = java.lang.foreign.MemorySegment.NULL;

    /** Room for a pushed answer's prefix (FRAME_RESPONSE with its one entry header, or an ERROR). */
    java.lang.foreign.MemorySegment pushPrefix() {
        if (pushPrefix == null) {
            prefixArena = java.lang.foreign.Arena.ofShared();
            pushPrefix = prefixArena.allocate(Math.max(
                    dev.framebridge.protocol.FrameResponseFlyweight.SINGLE_ENTRY_PREFIX_LENGTH,
                    dev.framebridge.protocol.ErrorFlyweight.LENGTH), 8);
        }
        return pushPrefix;
    }

    /** The pushed access unit's copy; grows (doubling) only when a larger one arrives, so warm pushes allocate nothing. */
    java.lang.foreign.MemorySegment pushBody(long bytes) {
        if (pushBody.byteSize() < bytes) {
            java.lang.foreign.Arena old = bodyArena;
            bodyArena = java.lang.foreign.Arena.ofShared();
            pushBody = bodyArena.allocate(Math.max(bytes, pushBody.byteSize() * 2), 64);
            if (old != null) {
                old.close();
            }
        }
        return pushBody;
    }

    void freePushBuffers() {
        if (prefixArena != null) {
            prefixArena.close();
            prefixArena = null;
            pushPrefix = null;
        }
        if (bodyArena != null) {
            bodyArena.close();
            bodyArena = null;
            pushBody = java.lang.foreign.MemorySegment.NULL;
        }
    }

    IoConnection(Session session, int maxPools) {
        this.session = session;
        this.pools = new ConnectionPools(maxPools);
    }

    /** @param fdCapable the socket is a Unix socket, so fds can arrive with messages (fd pools) */
    void reset(NativeSocket socket, String peer, boolean fdCapable, long now) {
        pools.reset(fdCapable);
        this.socket = socket;
        this.peer = peer;
        state.open();
        submitted = 0;
        answered = 0;
        answersReady = 0;
        answersReceived = 0;
        writeSlot = null;
        gather.clear();
        subscriber = null;
        pushSource = null;
        pushWriting = false;
        pushEnding = false;
        lastProgressNanos = now;
        lastActivityNanos = now;
        lastWriteProgressNanos = now;
        receiveWindowStart = now;
        receiveWindowBytes = 0;
        lingerDeadline = 0;
        openedNanos = now;
        readableNanos = now;
        lastSubmitNanos = now;
        frames = 0;
        errors = 0;
        bytesIn = 0;
        bytesOut = 0;
        closeReason = null;
        closeCause = null;
    }

    int inFlight() {
        return (int) (submitted - answered);
    }
}

package dev.framebridge.relay;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.util.Locale;

/**
 * One relayed connection: the accepted client, the connection made to the target for it, and the two directions
 * between them. Knows who hung up first, why the link ended, and whether the target left requests unanswered
 * ({@link TargetSilence}), for the log and the report.
 */
final class RelayLink {
    final int id;
    final NativeSocket client;
    final NativeSocket target;
    final RelayDirection up;    // client → target
    final RelayDirection down;  // target → client
    private final Arena arena = Arena.ofShared();
    private final TargetSilence silence;
    int clientInterest = -1;
    int targetInterest = -1;
    private String firstHangup;
    private String failure;

    RelayLink(int id, NativeSocket client, NativeSocket target, int bufferBytes, long silentAfterNs, RelayLog log,
              boolean trace) {
        this.id = id;
        this.silence = new TargetSilence(silentAfterNs);
        this.client = client;
        this.target = target;
        this.up = new RelayDirection("client→target", client, target, arena, bufferBytes,
                trace ? (t, f, s, p) -> log.header(id, "client→target", t, f, s, p) : null);
        this.down = new RelayDirection("target→client", target, client, arena, bufferBytes,
                trace ? (t, f, s, p) -> log.header(id, "target→client", t, f, s, p) : null);
    }

    /**
     * Pumps both directions until neither can move. Returns false when the link is over (both half-closes passed
     * on, or a side failed); {@link #failure()} then says why if it was not a clean close.
     */
    boolean service(RelayLog log, long nowNs) {
        try {
            boolean upEnded = up.fromEnded();
            boolean downEnded = down.fromEnded();
            while (true) {
                long upMoved = up.pump();
                if (upMoved > 0) {
                    silence.upMoved(up.counter.requests(), up.counter.lastRequestType(), nowNs);
                }
                long downBefore = down.bytes();
                long downMoved = down.pump();
                if (down.bytes() != downBefore) {
                    long ended = silence.targetSent(up.counter.requests(), nowNs);
                    if (ended >= 0) {
                        log.info(String.format(Locale.ROOT, "#%d target %s answered after %.1f s of silence", id, target.peer(),
                                ended / 1e9));
                    }
                }
                if (upMoved + downMoved == 0) {
                    break; // else pump again: writing one way may have made room to read the other
                }
            }
            if (!upEnded && up.fromEnded()) {
                noteHangup("client", log, up);
            }
            if (!downEnded && down.fromEnded()) {
                noteHangup("target", log, down);
            }
            return !(up.done() && down.done());
        } catch (ErrnoException e) {
            failure = e.getMessage();
            return false;
        }
    }

    /** A silence is building up: the relay must look again at {@link #silenceDueAt()}. */
    boolean silencePending() {
        return silence.pending();
    }

    long silenceDueAt() {
        return silence.dueAt();
    }

    /** Says so, once per episode, when the target has left a request unanswered for the threshold. */
    void checkSilence(RelayLog log, long nowNs) {
        if (!silence.becameDue(nowNs)) {
            return;
        }
        long unanswered = silence.unanswered(up.counter.requests());
        long stuck = up.pending();
        log.info(String.format(Locale.ROOT, "#%d target %s is silent: %s forwarded %.1f s ago, 0 bytes back since (%d request%s"
                        + " unanswered%s; client %s) — the target accepts but does not answer: probe it directly,"
                        + " framebridge probe %s", id, target.peer(), Hxfr.typeName(silence.firstRequestType()),
                silence.silentForNs(nowNs) / 1e9, unanswered, unanswered == 1 ? "" : "s",
                stuck == 0 ? "" : ", " + stuck + " bytes the target has not taken yet", client.peer(), target.peer()));
    }

    /** A side hung up completely (EPOLLHUP/EPOLLERR with nothing left to read): nothing more can be delivered to it. */
    void hungUp(String side) {
        if (failure == null) {
            failure = side + " closed the connection completely (not a half-close)";
        }
        if (firstHangup == null) {
            firstHangup = side;
        }
    }

    private void noteHangup(String side, RelayLog log, RelayDirection d) {
        if (firstHangup == null) {
            firstHangup = side;
        }
        log.info("#" + id + " " + side + " sent end of stream (half-close) after " + d.bytes() + " bytes; "
                + (d.pending() == 0 ? "passed on: shut down the write side towards the "
                        + (side.equals("client") ? "target" : "client")
                        : "passing it on after " + d.pending() + " buffered bytes"));
    }

    String failure() {
        return failure;
    }

    String firstHangup() {
        return firstHangup;
    }

    RelayReport report(long nowNs) {
        return new RelayReport(id, client.peer(), target.peer(), up.bytes(), up.counter.messages(),
                up.counter.breakdown(), up.counter.nonHxfrBytes(), down.bytes(), down.counter.messages(),
                down.counter.breakdown(), down.counter.nonHxfrBytes(), firstHangup, failure, silence.episodes(),
                silence.longestNs(nowNs) / 1_000_000L, silence.silentNow());
    }

    void close() {
        client.close();
        target.close();
        arena.close();
    }
}

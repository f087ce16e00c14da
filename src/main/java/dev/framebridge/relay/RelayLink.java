package dev.framebridge.relay;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;

/**
 * One relayed connection: the accepted client, the connection made to the target for it, and the two directions
 * between them. Knows who hung up first and why the link ended, for the report.
 */
final class RelayLink {
    final int id;
    final NativeSocket client;
    final NativeSocket target;
    final RelayDirection up;    // client → target
    final RelayDirection down;  // target → client
    private final Arena arena = Arena.ofShared();
    int clientInterest = -1;
    int targetInterest = -1;
    private String firstHangup;
    private String failure;

    RelayLink(int id, NativeSocket client, NativeSocket target, int bufferBytes, RelayLog log, boolean trace) {
        this.id = id;
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
    boolean service(RelayLog log) {
        try {
            boolean upEnded = up.fromEnded();
            boolean downEnded = down.fromEnded();
            while (up.pump() + down.pump() > 0) {
                // pump again: writing one way may have made room to read the other
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

    RelayReport report() {
        return new RelayReport(id, client.peer(), target.peer(), up.bytes(), up.counter.messages(),
                up.counter.breakdown(), up.counter.nonHxfrBytes(), down.bytes(), down.counter.messages(),
                down.counter.breakdown(), down.counter.nonHxfrBytes(), firstHangup, failure);
    }

    void close() {
        client.close();
        target.close();
        arena.close();
    }
}

package dev.framebridge.relay;

import dev.framebridge.transport.ConnectAttempt;
import dev.framebridge.transport.NativeSocket;

/**
 * An accepted client whose connection to the target is still being made, in the relay's own event loop. The client
 * is not read until the target is there, so nothing needs buffering meanwhile.
 */
final class TargetConnect {
    final int id;
    final NativeSocket client;
    final ConnectAttempt attempt;
    final long startedNs;
    /** What the target's fd is registered for in the relay's epoll set; 0 = not registered. */
    int registered;

    TargetConnect(int id, NativeSocket client, ConnectAttempt attempt, long startedNs) {
        this.id = id;
        this.client = client;
        this.attempt = attempt;
        this.startedNs = startedNs;
    }

    void close() {
        attempt.close();
        client.close();
    }
}

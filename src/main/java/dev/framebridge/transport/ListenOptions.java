package dev.framebridge.transport;

import java.util.Set;

/**
 * How a {@link SocketListener} listens.
 *
 * @param unixMode         permission bits of a Unix socket file (and the hybrid-vsock one); 0600 by default
 *                         so only the owner can connect, 0660 once a group is set
 * @param unixGroup        group to give the socket file, or null to leave the creating user's group
 * @param backlog          listen(2) backlog
 * @param vsockAllowedCids guest CIDs allowed to connect to a vsock listener; empty = any
 * @param sendBufferBytes  SO_SNDBUF for accepted sockets, 0 = the kernel's default
 */
public record ListenOptions(int unixMode, String unixGroup, int backlog, Set<Integer> vsockAllowedCids,
                            int sendBufferBytes) {

    public static final int DEFAULT_UNIX_MODE = 0600;
    public static final int GROUP_UNIX_MODE = 0660;

    public ListenOptions {
        if ((unixMode & ~0777) != 0) {
            throw new IllegalArgumentException("unix socket mode " + Integer.toOctalString(unixMode)
                    + " has bits outside 0777");
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("listen backlog must be at least 1, not " + backlog);
        }
        if (sendBufferBytes < 0) {
            throw new IllegalArgumentException("send buffer must be 0 (kernel default) or positive, not " + sendBufferBytes);
        }
        vsockAllowedCids = Set.copyOf(vsockAllowedCids);
    }

    public static ListenOptions defaults() {
        return new ListenOptions(DEFAULT_UNIX_MODE, null, 64, Set.of(), 0);
    }

    public ListenOptions withUnixMode(int mode) {
        return new ListenOptions(mode, unixGroup, backlog, vsockAllowedCids, sendBufferBytes);
    }

    /** Sets the group; a mode still at the 0600 default becomes 0660 so the group can connect. */
    public ListenOptions withUnixGroup(String group) {
        int mode = unixMode == DEFAULT_UNIX_MODE ? GROUP_UNIX_MODE : unixMode;
        return new ListenOptions(mode, group, backlog, vsockAllowedCids, sendBufferBytes);
    }

    public ListenOptions withBacklog(int n) {
        return new ListenOptions(unixMode, unixGroup, n, vsockAllowedCids, sendBufferBytes);
    }

    public ListenOptions withVsockAllowedCids(Set<Integer> cids) {
        return new ListenOptions(unixMode, unixGroup, backlog, cids, sendBufferBytes);
    }

    public ListenOptions withSendBufferBytes(int bytes) {
        return new ListenOptions(unixMode, unixGroup, backlog, vsockAllowedCids, bytes);
    }
}

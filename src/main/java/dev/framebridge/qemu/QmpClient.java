package dev.framebridge.qemu;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The few QMP commands the D-Bus display needs, over QEMU's QMP Unix socket: the capabilities handshake,
 * {@code getfd} (the fd travels with the command as SCM_RIGHTS) and {@code add_client}. QMP is line-delimited
 * JSON; answers are matched by their {@code return}/{@code error} key, events in between are skipped. No JSON
 * library: the commands are fixed strings and only success or the error's text is read back.
 */
public final class QmpClient implements AutoCloseable {
    private final NativeSocket socket;
    private final String path;
    private final long timeoutMs;
    private final MemorySegment buffer = Arena.ofAuto().allocate(64 * 1024);
    private final StringBuilder pending = new StringBuilder();

    private QmpClient(NativeSocket socket, String path, long timeoutMs) {
        this.socket = socket;
        this.path = path;
        this.timeoutMs = timeoutMs;
    }

    /** Connects, reads the greeting and leaves capabilities negotiation mode. */
    public static QmpClient connect(String path, Duration timeout) throws IOException {
        NativeSocket socket;
        try {
            socket = NativeSocket.connect(new Endpoint.Unix(path), timeout);
        } catch (IOException e) {
            throw new IOException("cannot connect to QEMU's QMP socket " + path + " (" + e.getMessage()
                    + "): start QEMU with -qmp unix:" + path + ",server=on,wait=off", e);
        }
        QmpClient client = new QmpClient(socket, path, timeout.toMillis());
        try {
            String greeting = client.readAnswerLine(true);
            if (!greeting.contains("\"QMP\"")) {
                throw new IOException(path + " is not a QMP socket: it greeted with " + abbreviate(greeting));
            }
            client.execute("{\"execute\":\"qmp_capabilities\"}", "qmp_capabilities", null);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** {@code getfd}: hands QEMU {@code fd} under {@code fdName} (QEMU gets its own copy). */
    public void getfd(String fdName, int fd) throws IOException {
        execute("{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"" + fdName + "\"}}", "getfd", fd);
    }

    /** {@code add_client protocol=@dbus-display}: QEMU serves its D-Bus display peer to peer on the fd named. */
    public void addDbusDisplayClient(String fdName) throws IOException {
        execute("{\"execute\":\"add_client\",\"arguments\":{\"protocol\":\"@dbus-display\",\"fdname\":\"" + fdName
                + "\"}}", "add_client", null);
    }

    /** Runs a command; returns its answer line, or throws with QEMU's error text. */
    public String execute(String json, String what, Integer fd) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long sent = 0;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (sent < bytes.length) {
            long n = fd != null && sent == 0
                    ? socket.sendWithFds(buffer, 0, bytes.length, new int[] {fd}, 1)
                    : socket.write(buffer, sent, bytes.length - sent);
            if (n == 0 && !socket.awaitWritable(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L))) {
                throw new ErrnoException("send(QMP " + path + ")", LibC.ETIMEDOUT, "QEMU stopped reading QMP");
            }
            sent += n;
        }
        String answer = readAnswerLine(false);
        if (answer.contains("\"error\"")) {
            throw new IOException("QMP " + what + " failed: " + errorText(answer)
                    + (what.equals("add_client") ? " (QEMU needs -display dbus,p2p=yes for @dbus-display clients)" : ""));
        }
        return answer;
    }

    /** The next line that is not an event (or the greeting when asked for). */
    private String readAnswerLine(boolean greeting) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            int newline = pending.indexOf("\n");
            if (newline >= 0) {
                String line = pending.substring(0, newline).strip();
                pending.delete(0, newline + 1);
                if (line.isEmpty() || (!greeting && line.startsWith("{\"event\""))) {
                    continue;
                }
                return line;
            }
            long n = socket.read(buffer, 0, buffer.byteSize());
            if (n < 0) {
                throw new IOException("QEMU closed its QMP socket " + path + (pending.isEmpty() ? ""
                        : " after " + abbreviate(pending.toString())) + " (did it quit, or is another client on it?)");
            }
            if (n == 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || !socket.awaitReadable(left)) {
                    throw new IOException("no answer on QMP socket " + path + " within " + timeoutMs + " ms");
                }
                continue;
            }
            pending.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    private static String errorText(String answer) {
        int desc = answer.indexOf("\"desc\"");
        if (desc < 0) {
            return abbreviate(answer);
        }
        int start = answer.indexOf('"', desc + 6 + 1);
        int end = start < 0 ? -1 : answer.indexOf('"', start + 1);
        return start < 0 || end < 0 ? abbreviate(answer) : answer.substring(start + 1, end);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    @Override
    public void close() {
        socket.close();
    }
}

package dev.framebridge.dbus;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.NativeSocket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A D-Bus connection over one of the project's native Unix sockets, as the client side of the authentication
 * (SASL EXTERNAL with the process's uid, then NEGOTIATE_UNIX_FD): to a bus daemon, or peer to peer where the other
 * side (QEMU) is the server. Messages are read whole into one off-heap buffer that grows to the largest message
 * seen (an 8 MB Scanout), and fds passed with SCM_RIGHTS are handed to the message that declares them.
 * Blocking-style (poll with a timeout) on a non-blocking socket; one thread receives, one thread sends.
 */
public final class DBusConnection implements AutoCloseable {
    private static final int FD_CAPACITY = 64;

    private final NativeSocket socket;
    private final String name;
    private final Errno errno = new Errno();
    private final DBusWriter writer = new DBusWriter(64 * 1024);
    private final DBusMessage message = new DBusMessage();
    private final int[] readFds = new int[NativeSocket.MAX_PASSED_FDS];
    private final int[] pendingFds = new int[FD_CAPACITY];
    private final int[] sendFds = new int[NativeSocket.MAX_PASSED_FDS];
    private int pendingFdCount;
    private MemorySegment receive = Arena.ofAuto().allocate(64 * 1024, 8);
    private int serial;
    private boolean unixFds;
    private String guid;

    public DBusConnection(NativeSocket socket, String name) {
        this.socket = socket;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public NativeSocket socket() {
        return socket;
    }

    /** The server's GUID from its {@code OK} line. */
    public String guid() {
        return guid;
    }

    public boolean unixFdsAgreed() {
        return unixFds;
    }

    /**
     * The client half of the D-Bus authentication: a NUL byte, {@code AUTH EXTERNAL <hex uid>}, then
     * {@code NEGOTIATE_UNIX_FD} and {@code BEGIN}. Throws naming the server's answer when it refuses.
     */
    public void authenticate(long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        String uid = Long.toString(processUid());
        StringBuilder hex = new StringBuilder();
        for (byte b : uid.getBytes(StandardCharsets.US_ASCII)) {
            hex.append(String.format("%02x", b));
        }
        writeLine("\0AUTH EXTERNAL " + hex + "\r\n", deadline);
        String answer = readLine(deadline);
        if (!answer.startsWith("OK ")) {
            throw new DBusProtocolException(name + ": the D-Bus peer refused EXTERNAL authentication as uid " + uid
                    + " (it answered '" + answer + "'); run framebridge as the user that runs QEMU or the bus");
        }
        guid = answer.substring(3).trim();
        writeLine("NEGOTIATE_UNIX_FD\r\n", deadline);
        answer = readLine(deadline);
        unixFds = answer.startsWith("AGREE_UNIX_FD");
        writeLine("BEGIN\r\n", deadline);
    }

    private static long processUid() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return ((Number) uid).longValue();
    }

    public int nextSerial() {
        serial = serial == Integer.MAX_VALUE ? 1 : serial + 1;
        return serial;
    }

    /** This connection's writer: build a message in it, then {@link #send}. Sending thread only. */
    public DBusWriter writer() {
        return writer;
    }

    /** Sends the message built in {@link #writer()}. */
    public void send(long timeoutMs) throws IOException {
        sendWithFds(null, 0, timeoutMs);
    }

    /** Sends the message built in {@link #writer()} with {@code fdCount} fds attached (SCM_RIGHTS, once). */
    public void sendWithFds(int[] fds, int fdCount, long timeoutMs) throws IOException {
        if (fdCount > 0 && !unixFds) {
            throw new DBusProtocolException(name + ": the peer did not agree to unix fd passing");
        }
        long length = writer.finish();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        MemorySegment bytes = writer.buffer();
        long sent = 0;
        boolean fdsSent = fdCount == 0;
        while (sent < length) {
            long n;
            if (!fdsSent) {
                System.arraycopy(fds, 0, sendFds, 0, fdCount);
                n = socket.sendWithFds(bytes, sent, length - sent, sendFds, fdCount);
                fdsSent = n > 0;
            } else {
                n = socket.write(bytes, sent, length - sent);
            }
            if (n == 0) {
                awaitWritable(deadline);
            }
            sent += n;
        }
    }

    /**
     * Receives the next message whole; null when none arrived within {@code timeoutMs}. A message stays valid until
     * the next call. Fds it declares are attached to it; the fds of the previous message nobody took are closed.
     *
     * @throws DBusPeerClosedException when the peer hung up
     */
    public DBusMessage receive(long timeoutMs) throws IOException {
        closeUntakenFds();
        if (!socket.awaitReadable(timeoutMs)) {
            return null;
        }
        long deadline = System.nanoTime() + Math.max(timeoutMs, 5_000) * 1_000_000L;
        readFully(0, DBusMessage.FIXED_HEADER, deadline, true);
        long total = DBusMessage.totalLength(receive);
        if (total > receive.byteSize()) {
            MemorySegment larger = Arena.ofAuto().allocate(Math.max(total, receive.byteSize() * 2), 8);
            MemorySegment.copy(receive, 0, larger, 0, DBusMessage.FIXED_HEADER);
            receive = larger;
        }
        readFully(DBusMessage.FIXED_HEADER, total - DBusMessage.FIXED_HEADER, deadline, false);
        message.parse(receive, total);
        int declared = message.unixFds();
        if (declared > pendingFdCount) {
            throw new DBusProtocolException(name + ": " + message + " declares " + declared + " fds but "
                    + pendingFdCount + " arrived");
        }
        message.attachFds(pendingFds, declared);
        System.arraycopy(pendingFds, declared, pendingFds, 0, pendingFdCount - declared);
        pendingFdCount -= declared;
        return message;
    }

    private void closeUntakenFds() {
        for (int i = 0; i < message.fdCount(); i++) {
            int fd = message.takeFd(i);
            if (fd >= 0) {
                LibC.close(errno, fd);
            }
        }
        message.attachFds(pendingFds, 0);
    }

    private void readFully(long offset, long length, long deadline, boolean messageStart) throws IOException {
        long done = 0;
        while (done < length) {
            long n = socket.readWithFds(receive, offset + done, length - done, readFds);
            int got = socket.receivedFdCount();
            for (int i = 0; i < got; i++) {
                if (pendingFdCount == FD_CAPACITY) {
                    LibC.close(errno, readFds[i]);
                    throw new DBusProtocolException(name + ": the peer sent more than " + FD_CAPACITY
                            + " fds no message declared");
                }
                pendingFds[pendingFdCount++] = readFds[i];
            }
            if (n < 0) {
                throw new DBusPeerClosedException(name + (messageStart && done == 0
                        ? ": the D-Bus peer hung up" : ": the D-Bus peer hung up in the middle of a message"));
            }
            if (n == 0) {
                if (!socket.awaitReadable(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L))
                        && deadline - System.nanoTime() <= 0) {
                    throw new DBusProtocolException(name + ": a message stalled half-way for longer than the timeout");
                }
            }
            done += n;
        }
    }

    private void awaitWritable(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0 || !socket.awaitWritable(left)) {
            throw new ErrnoException("send(" + name + ")", LibC.ETIMEDOUT,
                    "the D-Bus peer stopped reading; is it stuck?");
        }
    }

    private void writeLine(String line, long deadline) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        MemorySegment segment = writer.buffer().asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long sent = 0;
        while (sent < bytes.length) {
            long n = socket.write(segment, sent, bytes.length - sent);
            if (n == 0) {
                awaitWritable(deadline);
            }
            sent += n;
        }
    }

    /** One authentication line, read a byte at a time so nothing after it is consumed. */
    private String readLine(long deadline) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            long n = socket.read(receive, 0, 1);
            if (n < 0) {
                throw new DBusPeerClosedException(name + ": the D-Bus peer hung up during authentication"
                        + (line.isEmpty() ? "" : " after '" + line + "'"));
            }
            if (n == 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || !socket.awaitReadable(left)) {
                    throw new DBusProtocolException(name + ": no answer to D-Bus authentication in time (is this a"
                            + " D-Bus socket?)");
                }
                continue;
            }
            char c = (char) (receive.get(ValueLayout.JAVA_BYTE, 0) & 0xFF);
            if (c == '\n') {
                return line.toString().strip();
            }
            if (line.length() > 512) {
                throw new DBusProtocolException(name + ": an authentication line longer than 512 bytes: not D-Bus");
            }
            line.append(c);
        }
    }

    /**
     * Calls a method and waits for its answer: the reply message (valid until the next receive). Messages that
     * arrive meanwhile go to {@code others} (may be null: then method calls are answered UnknownMethod).
     */
    public DBusMessage awaitReply(int callSerial, String what, long timeoutMs, MessageHandler others) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            DBusMessage m = left > 0 ? receive(left) : null;
            if (m == null) {
                throw new DBusProtocolException(name + ": no answer to " + what + " within " + timeoutMs + " ms");
            }
            if ((m.type() == DBus.METHOD_RETURN || m.type() == DBus.ERROR) && m.replySerial() == callSerial) {
                if (m.type() == DBus.ERROR) {
                    throw new DBusErrorException(what, m.errorName(), m.errorText());
                }
                return m;
            }
            if (others != null) {
                others.onMessage(m);
            } else {
                answerUnknown(m);
            }
        }
    }

    /** Answers a method call that wants a reply with UnknownMethod; anything else is ignored. */
    public void answerUnknown(DBusMessage m) throws IOException {
        if (m.expectsReply()) {
            writer.error(nextSerial(), m.serial(), m.sender(), DBus.UNKNOWN_METHOD,
                    "framebridge does not implement " + m.iface() + "." + m.member() + " on " + m.path());
            send(5_000);
        }
    }

    /** Answers a method call with an empty METHOD_RETURN when it wants one. */
    public void answerEmpty(DBusMessage m) throws IOException {
        if (m.expectsReply()) {
            writer.methodReturn(nextSerial(), m.serial(), m.sender(), null);
            send(5_000);
        }
    }

    @Override
    public void close() {
        closeUntakenFds();
        for (int i = 0; i < pendingFdCount; i++) {
            LibC.close(errno, pendingFds[i]);
        }
        pendingFdCount = 0;
        socket.close();
    }

    /** What a caller does with messages that are not the reply it waits for. */
    @FunctionalInterface
    public interface MessageHandler {
        void onMessage(DBusMessage message) throws IOException;
    }
}

package dev.framebridge.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.MemfdPool;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wire client against a real peer: a private dbus-daemon (package dbus, from bin/install-deps). */
class DBusDaemonTest {
    private Path dir;
    private Process daemon;
    private Path socket;

    @BeforeEach
    void startDaemon() throws Exception {
        dir = Files.createTempDirectory("fb-dbus");
        socket = dir.resolve("bus");
        daemon = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile",
                "--address=unix:path=" + socket).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            assertTrue(daemon.isAlive(), () -> "dbus-daemon exited: " + read(dir.resolve("log")));
            assertTrue(System.nanoTime() < deadline, "dbus-daemon made no socket in 20 s");
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.destroy();
        daemon.waitFor(5, TimeUnit.SECONDS);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void authenticatesAgreesOnFdsAndGetsAUniqueNameFromHello() throws Exception {
        try (DBusConnection c = connect()) {
            assertTrue(c.unixFdsAgreed(), "dbus-daemon passes fds on Unix sockets");
            assertEquals(32, c.guid().length(), "the server's GUID is 32 hex digits: " + c.guid());
            String name = hello(c);
            assertTrue(name.startsWith(":1."), name);
            List<String> names = listNames(c);
            assertTrue(names.contains(name) && names.contains("org.freedesktop.DBus"), names.toString());
        }
    }

    @Test
    void methodCallWithAnFdReachesAnotherConnectionAndItsReplyComesBack() throws Exception {
        try (DBusConnection a = connect(); DBusConnection b = connect(); MemfdPool memfd = MemfdPool.create("fb-dbus", 4096)) {
            hello(a);
            String bName = hello(b);
            memfd.segment().set(ValueLayout.JAVA_INT, 0, 0x5EED_F00D);
            int serial = a.nextSerial();
            a.writer().methodCall(serial, 0, bName, "/test", "dev.framebridge.Test", "Take", "sh", 1)
                    .writeString("a memfd").writeFdIndex(0);
            a.sendWithFds(new int[] {memfd.fd()}, 1, 5_000);

            DBusMessage call = receiveCall(b);
            assertEquals("Take", call.member());
            assertEquals("sh", call.signature());
            assertEquals(1, call.unixFds());
            DBusReader r = call.body();
            assertEquals("a memfd", r.readString());
            assertEquals(0, r.readUint32());
            int fd = call.takeFd(0);
            assertTrue(fd >= 0, "the fd arrived");
            Errno errno = new Errno();
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var word = arena.allocate(4);
                assertEquals(4, LibC.read(errno, fd, word.address(), 4), "the received fd reads the memfd");
                assertEquals(0x5EED_F00D, word.get(ValueLayout.JAVA_INT, 0));
            } finally {
                LibC.close(errno, fd);
            }
            b.writer().methodReturn(b.nextSerial(), call.serial(), call.sender(), "u").writeUint32(77);
            b.send(5_000);
            DBusMessage reply = a.awaitReply(serial, "Take", 5_000, null);
            assertEquals(77, reply.body().readUint32());
        }
    }

    @Test
    void errorReplyBecomesAnExceptionNamingTheError() throws Exception {
        try (DBusConnection c = connect()) {
            hello(c);
            int serial = c.nextSerial();
            c.writer().methodCall(serial, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "NoSuchMethod", null, 0);
            c.send(5_000);
            DBusErrorException e = org.junit.jupiter.api.Assertions.assertThrows(DBusErrorException.class,
                    () -> c.awaitReply(serial, "NoSuchMethod", 5_000, null));
            assertEquals(DBus.UNKNOWN_METHOD, e.errorName());
        }
    }

    private DBusConnection connect() throws Exception {
        DBusConnection c = new DBusConnection(NativeSocket.connect(new Endpoint.Unix(socket.toString()),
                Duration.ofSeconds(5)), "test-bus");
        c.authenticate(5_000);
        return c;
    }

    private static String hello(DBusConnection c) throws Exception {
        int serial = c.nextSerial();
        c.writer().methodCall(serial, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "Hello", null, 0);
        c.send(5_000);
        return c.awaitReply(serial, "Hello", 5_000, m -> { }).body().readString();
    }

    private static List<String> listNames(DBusConnection c) throws Exception {
        int serial = c.nextSerial();
        c.writer().methodCall(serial, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "ListNames", null, 0);
        c.send(5_000);
        DBusReader r = c.awaitReply(serial, "ListNames", 5_000, m -> { }).body();
        long end = r.readArrayEnd(4);
        List<String> names = new ArrayList<>();
        while (r.position() < end) {
            names.add(r.readString());
        }
        return names;
    }

    /** The next method call (the bus sends NameAcquired signals first). */
    private static DBusMessage receiveCall(DBusConnection c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            DBusMessage m = c.receive(1_000);
            if (m != null && m.type() == DBus.METHOD_CALL) {
                return m;
            }
        }
        throw new AssertionError("no method call arrived");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

}

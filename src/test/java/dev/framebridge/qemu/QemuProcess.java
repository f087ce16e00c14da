package dev.framebridge.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real QEMU (Debian's qemu-system-x86 7.2, from bin/install-deps) with no guest OS: SeaBIOS alone draws a text
 * console, which is enough for the D-Bus display to send Scanouts. TCG, so it needs no /dev/kvm; it starts in a
 * second or two.
 */
public final class QemuProcess implements AutoCloseable {
    public final Path dir;
    public final Path qmp;
    public final Path log;
    private final Process process;

    private QemuProcess(Path dir, Path qmp, Path log, Process process) {
        this.dir = dir;
        this.qmp = qmp;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code qemu-system-x86_64 -display dbus,p2p=yes} with a QMP socket, plus {@code extra} arguments. */
    public static QemuProcess startP2p(String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-display", "dbus,p2p=yes"));
        args.addAll(List.of(extra));
        return start(args.toArray(String[]::new));
    }

    /** Starts a guest-less QEMU with a QMP socket and {@code extra} arguments (a -display among them). */
    public static QemuProcess start(String... extra) throws IOException, InterruptedException {
        Path qemu = Path.of("/usr/bin/qemu-system-x86_64");
        if (!Files.isExecutable(qemu)) {
            throw new IllegalStateException("qemu-system-x86_64 is missing: run bin/install-deps (package qemu-system-x86)");
        }
        Path dir = Files.createTempDirectory("fb-qemu");
        Path qmp = dir.resolve("qmp.sock");
        Path log = dir.resolve("qemu.log");
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-machine", "q35,accel=tcg", "-nodefaults",
                "-no-user-config", "-m", "64", "-vga", "std",
                "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(qmp)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("QEMU exited (" + p.exitValue() + "): " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("QEMU made no QMP socket in 30 s: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return new QemuProcess(dir, qmp, log, p);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            kill();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}

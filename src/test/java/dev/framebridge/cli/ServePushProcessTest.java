package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.qemu.QemuProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --qemu-display} as its own process against a guest-less QEMU, checked with {@code probe --subscribe}. */
@Timeout(180)
class ServePushProcessTest {
    @TempDir
    Path dir;

    @Test
    void probeSubscribeSeesTheVmsConsolePushedAndAnUnknownScanoutRefused() throws Exception {
        try (QemuProcess qemu = QemuProcess.startP2p()) {
            Path sock = dir.resolve("hxfr.sock");
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "serve", "--listen", "unix:" + sock, "--counters-file", dir.resolve("counters.dat").toString(),
                    "--qemu-display", qemu.qmp.toString(), "--push-fps", "30"));
            Path log = dir.resolve("serve.log");
            Process serve = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!Files.readString(log).contains("listening on") && serve.isAlive()
                        && System.nanoTime() - deadline < 0) {
                    Thread.sleep(20);
                }
                assertTrue(Files.exists(sock), "serve did not listen:\n" + Files.readString(log));
                assertTrue(Files.readString(log).contains("push mode: attached to QEMU's display"), Files.readString(log));

                CliRun probe = CliRun.of("probe", "unix:" + sock, "--subscribe", "1", "--frames", "3", "--timeout", "5000");
                assertEquals(0, probe.exitCode(), probe.all() + "\nserve log:\n" + Files.readString(log));
                assertTrue(probe.out().contains("subscribe ok") && probe.out().contains("first    ok"), probe.all());

                CliRun unknown = CliRun.of("probe", "unix:" + sock, "--subscribe", "4", "--frames", "0");
                assertEquals(ProbeFailure.HOST_ERROR.exitCode, unknown.exitCode(), unknown.all());
                assertTrue(unknown.out().contains("refused scanout 4"), unknown.all());
                assertTrue(Files.readString(log).contains("SUBSCRIBE to scanout 4 refused: no such scanout"),
                        Files.readString(log));
            } finally {
                serve.destroy();
                assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
            }
        }
    }

    @Test
    void aWrongQemuDisplayAddressStopsServeNamingTheQemuOptionToAdd() {
        CliRun run = CliRun.of("serve", "--listen", "unix:" + dir.resolve("s.sock"), "--counters-file",
                dir.resolve("c.dat").toString(), "--qemu-display", dir.resolve("no-qmp.sock").toString());
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.err().contains("-qmp unix:" + dir.resolve("no-qmp.sock")), run.all());
    }

    @Test
    void aQemuWithoutTheDbusDisplayIsNamedAsTheCause() throws Exception {
        try (QemuProcess qemu = QemuProcess.start("-S", "-display", "none")) {
            CliRun run = CliRun.of("serve", "--listen", "unix:" + dir.resolve("s.sock"), "--counters-file",
                    dir.resolve("c.dat").toString(), "--qemu-display", qemu.qmp.toString());
            assertEquals(1, run.exitCode(), run.all());
            assertTrue(run.err().contains("-display dbus,p2p=yes"), run.all());
        }
    }
}

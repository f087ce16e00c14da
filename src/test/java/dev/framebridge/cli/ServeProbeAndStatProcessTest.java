package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's path as a user walks it, with `serve` as its own process (the test class path stands in for the
 * shaded jar, which is built after the tests): start serve, probe it, read stat, stop it with SIGTERM.
 */
@Timeout(180)
class ServeProbeAndStatProcessTest {
    @TempDir
    Path dir;

    @Test
    void probeAndStatAgainstAServeProcessThenACleanStop() throws Exception {
        Path sock = dir.resolve("hxfr.sock");
        Path counters = dir.resolve("counters.dat");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--listen", "unix:" + sock, "--counters-file", counters.toString()));
        Path log = dir.resolve("serve.log");
        Process serve = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(sock) && serve.isAlive() && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(sock), "serve did not listen:\n" + Files.readString(log));
            // The socket file appears at bind(), a moment before listen() (connects are refused until then); the
            // counters file is put in place after every listener listens.
            ServeProcessTest.awaitFile(counters, serve);

            CliRun probe = CliRun.of("probe", "unix:" + sock, "--frames", "20", "--size", "320x240");
            assertEquals(0, probe.exitCode(), probe.all() + "\nserve log:\n" + Files.readString(log));

            CliRun stat = CliRun.of("stat", "--counters-file", counters.toString());
            long statDeadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() - statDeadline < 0 && !stat.out().matches("(?s).*frame responses sent +21\\n.*")) {
                Thread.sleep(20); // counters are bumped once per duty cycle, just after the answer is written
                stat = CliRun.of("stat", "--counters-file", counters.toString());
            }
            assertEquals(0, stat.exitCode(), stat.all());
            assertTrue(stat.out().matches("(?s).*frame responses sent +21\\n.*"), stat.all());
            assertTrue(stat.out().matches("(?s).*pings answered +" + Prober.PINGS + "\\n.*"), stat.all());
        } finally {
            serve.destroy(); // SIGTERM, as a service manager stops it
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
        assertFalse(Files.exists(sock), "serve removes its socket on the way out");
        assertTrue(Files.readString(log).contains("stopped"), Files.readString(log));
    }
}

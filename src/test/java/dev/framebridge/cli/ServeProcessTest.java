package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code framebridge serve} as a real process: serves, shows counters to {@code stat}, stops cleanly on SIGTERM. */
@Timeout(120)
class ServeProcessTest {
    @TempDir
    Path dir;

    static Process startServe(Path dir, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.framebridge.cli.Main", "serve"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("serve.err").toFile())
                .redirectOutput(dir.resolve("serve.out").toFile()).start();
        return p;
    }

    static void awaitFile(Path file, Process p) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(file)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(file + " never appeared; serve exited " + (p.isAlive() ? "no" : p.exitValue()));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void serveAnswersFramesShowsCountersAndStopsCleanlyOnSigterm() throws Exception {
        Path sock = dir.resolve("fb.sock");
        Path counters = dir.resolve("counters.dat");
        Process serve = startServe(dir, "--listen", "unix:" + sock, "--counters-file", counters.toString(), "--encoder", "x264");
        try {
            awaitFile(sock, serve);
            awaitFile(counters, serve);
            try (HxfrClient c = HxfrClient.connect(Endpoint.parse("unix:" + sock), Duration.ofSeconds(10));
                 Arena arena = Arena.ofConfined()) {
                int w = 128;
                int h = 96;
                MemorySegment pixels = arena.allocate((long) w * 4 * h);
                for (int i = 0; i < 10; i++) {
                    pixels.fill((byte) (i * 20));
                    c.sendFrame(pixels, pixels.byteSize(), w, h, PixelFormat.RGBA8888, w * 4, i, i == 0);
                    Answer a = c.readAnswer();
                    assertTrue(a.isFrame(), a.toString());
                }

                // The last answer is counted when its write returns, a moment after the client may read it.
                int code = -1;
                String stat = "";
                long deadline = System.nanoTime() + 20_000_000_000L;
                for (int attempt = 0; System.nanoTime() - deadline < 0
                        && !stat.matches("(?s).*frame responses sent\\s+10\\b.*"); attempt++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    PrintStream saved = System.out;
                    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                    try {
                        code = Main.run("stat", "--counters-file", counters.toString());
                    } finally {
                        System.setOut(saved);
                    }
                    stat = out.toString(StandardCharsets.UTF_8);
                    Thread.sleep(attempt == 0 ? 0 : 20);
                }
                assertEquals(0, code, stat);
                assertTrue(stat.matches("(?s).*frame requests received\\s+10\\b.*"), stat);
                assertTrue(stat.matches("(?s).*frame responses sent\\s+10\\b.*"), stat);
                assertTrue(stat.contains("listening on unix:" + sock), stat);

                // One more request, then SIGTERM: the answer still comes, then the server closes.
                c.sendFrame(pixels, pixels.byteSize(), w, h, PixelFormat.RGBA8888, w * 4, 99, false);
                serve.destroy(); // SIGTERM
                Answer last = c.readAnswer();
                assertTrue(last.isFrame() && last.pts() == 99, "in-flight request answered before shutdown: " + last);
            }
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops after SIGTERM");
            String err = Files.readString(dir.resolve("serve.err"));
            assertTrue(err.contains("shutting down"), err);
            assertTrue(err.contains("stopped"), err);
            assertTrue(err.contains("encoder x264: chosen"), err);
            assertFalse(Files.exists(sock), "socket file removed");
            assertFalse(Files.exists(counters), "counters file removed");
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void statWithoutARunningEngineSaysWhereItLookedAndExitsOne() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("stat", "--counters-file", dir.resolve("none.dat").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(1, code);
        assertTrue(err.toString().contains("no counters file at " + dir.resolve("none.dat")), err.toString());
        assertTrue(err.toString().contains("is `framebridge serve` running?"), err.toString());
    }

    @Test
    void serveRefusesAnUnknownEncoderNamingTheValidOnes() throws Exception {
        Process serve = startServe(dir, "--listen", "unix:" + dir.resolve("x.sock"), "--encoder", "amf",
                "--counters-file", dir.resolve("c.dat").toString());
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, serve.exitValue());
        String err = Files.readString(dir.resolve("serve.err"));
        assertTrue(err.contains("unknown encoder 'amf'") && err.contains("x264"), err);
    }

    @Test
    void serveRefusesABadEndpointShowingTheAcceptedForms() throws Exception {
        Process serve = startServe(dir, "--listen", "udp:1.2.3.4:5", "--counters-file", dir.resolve("c.dat").toString());
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("serve.err"));
        assertEquals(2, serve.exitValue(), err);
        assertTrue(err.contains("unknown scheme \"udp\"") && err.contains("vsock:") && err.contains("unix:"), err);
        assertFalse(err.contains("\tat "), "a message, not a stack trace: " + err);
    }
}

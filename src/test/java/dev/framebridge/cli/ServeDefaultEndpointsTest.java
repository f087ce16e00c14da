package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.SocketListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A default endpoint someone else holds is not a detail: a guest aimed there reaches that process. serve stops with
 * exit 3 naming the holder, or, told that a missing default is fine, warns and serves on the rest. The defaults are
 * replaced by an ephemeral port and a temporary socket here (the real ones may be in use on a shared machine).
 */
@Timeout(60)
class ServeDefaultEndpointsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final EngineLog log = new EngineLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), false);

    private ServeCommand serve(List<Endpoint> defaults, String... args) {
        CommandLine cmd = new CommandLine(new Main());
        String[] all = new String[args.length + 3];
        all[0] = "serve";
        all[1] = "--counters-file";
        all[2] = dir.resolve("counters.dat").toString();
        System.arraycopy(args, 0, all, 3, args.length);
        ServeCommand serve = (ServeCommand) cmd.parseArgs(all).subcommand().commandSpec().userObject();
        serve.defaults = defaults;
        return serve;
    }

    private static String ourPid() {
        return "held by pid " + ProcessHandle.current().pid() + " (";
    }

    @Test
    void aBusyDefaultTcpPortStopsServeWithExitThreeNamingTheHolder() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Endpoint busy = Endpoint.parse("tcp:127.0.0.1:" + other.getLocalPort());
            Endpoint free = Endpoint.parse("unix:" + dir.resolve("hxfr.sock"));
            ServeCommand.StartFailure f = assertThrows(ServeCommand.StartFailure.class,
                    () -> serve(List.of(busy, free)).start(log));
            assertEquals(ServeCommand.DEFAULT_ENDPOINT_BUSY, f.exitCode);
            assertTrue(f.getMessage().startsWith("default endpoint " + busy + " is busy, " + ourPid()), f.getMessage());
            assertTrue(f.getMessage().contains("a guest aimed at it would reach that process")
                    && f.getMessage().contains("--listen") && f.getMessage().contains("--allow-missing-defaults"),
                    f.getMessage());
            assertTrue(!dir.resolve("hxfr.sock").toFile().exists(), "nothing left listening");
        }
    }

    @Test
    void aBusyDefaultUnixSocketStopsServeNamingTheHolder() throws Exception {
        Endpoint busy = Endpoint.parse("unix:" + dir.resolve("hxfr.sock"));
        try (SocketListener other = SocketListener.listen(busy, ListenOptions.defaults())) {
            ServeCommand.StartFailure f = assertThrows(ServeCommand.StartFailure.class,
                    () -> serve(List.of(busy)).start(log));
            assertEquals(3, f.exitCode);
            assertTrue(f.getMessage().startsWith("default endpoint " + busy + " is busy, " + ourPid()), f.getMessage());
        }
    }

    @Test
    void allowMissingDefaultsWarnsNamingTheHolderAndServesOnTheRest() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Endpoint busy = Endpoint.parse("tcp:127.0.0.1:" + other.getLocalPort());
            Endpoint free = Endpoint.parse("unix:" + dir.resolve("hxfr.sock"));
            try (Engine engine = serve(List.of(busy, free), "--allow-missing-defaults").start(log)) {
                assertEquals(List.of(free), engine.endpoints());
                String text = logBytes.toString(StandardCharsets.UTF_8);
                assertTrue(text.contains("WARNING default endpoint " + busy + " is busy, " + ourPid()), text);
                assertTrue(text.contains("serving on the other defaults (--allow-missing-defaults)"), text);
            }
        }
    }

    @Test
    void anExplicitEndpointThatIsBusyFailsEvenWithAllowMissingDefaults() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "tcp:127.0.0.1:" + other.getLocalPort();
            ServeCommand.StartFailure f = assertThrows(ServeCommand.StartFailure.class,
                    () -> serve(null, "--listen", "unix:" + dir.resolve("a.sock"), "--listen", busy,
                            "--allow-missing-defaults").start(log));
            assertEquals(1, f.exitCode);
            assertTrue(f.getMessage().startsWith("cannot start: bind(" + busy + "): Address already in use"),
                    f.getMessage());
            assertTrue(!dir.resolve("a.sock").toFile().exists(), "the endpoint that did bind is closed again");
        }
    }

    @Test
    void serveHelpDocumentsExitThreeAndTheOption() {
        CliRun r = CliRun.of("serve", "--help");
        assertTrue(r.out().contains("3 a default endpoint is busy") && r.out().contains("--allow-missing-defaults"),
                r.out());
    }
}

package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.engine.EngineConfig;
import dev.framebridge.transport.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Options and config-file keys of {@code serve} reach the engine configuration. */
class ServeOptionsTest {
    @TempDir
    Path dir;

    private static EngineConfig parse(String... args) {
        CommandLine cmd = new CommandLine(new Main());
        ConfigFile.install(cmd, args);
        CommandLine.ParseResult r = cmd.parseArgs(args);
        ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
        return serve.engineConfig();
    }

    @Test
    void defaultsServeARealVmOutOfTheBox() {
        EngineConfig c = parse("serve");
        List<String> listen = c.listen().stream().map(Endpoint::toString).toList();
        assertEquals("vsock:any:5000", listen.get(0));
        assertEquals("tcp:127.0.0.1:15937", listen.get(1), "TCP binds loopback unless told otherwise");
        assertTrue(listen.get(2).startsWith("unix:") && listen.get(2).endsWith("hxfr.sock"), listen.toString());
        assertEquals("auto", c.encoder());
        assertEquals(2, c.maxInFlight());
        assertEquals(0600, c.unixMode());
        assertEquals(64L * 1024 * 1024, c.maxPayload());
        assertEquals(EngineConfig.defaultEncodeAgents(Runtime.getRuntime().availableProcessors()), c.encodeAgents());
    }

    @Test
    void encodeThreadsAutoIsInlineOnSmallMachines() {
        assertEquals(0, EngineConfig.defaultEncodeAgents(1));
        assertEquals(0, EngineConfig.defaultEncodeAgents(2));
        assertEquals(1, EngineConfig.defaultEncodeAgents(4));
        assertEquals(4, EngineConfig.defaultEncodeAgents(16));
        assertEquals(3, parse("serve", "--encode-threads", "3").encodeAgents());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--encode-threads", "many"));
        assertEquals("--encode-threads many is not a number: use auto, 0 (inline) or 1..64", e.getMessage());
    }

    @Test
    void configFileKeysAreTheLongOptionNamesAndTheCommandLineWins() throws Exception {
        Path file = dir.resolve("fb.properties");
        Files.writeString(file, "listen=unix:/run/fb.sock,tcp:0.0.0.0:15937\nmax-in-flight=4\nkeyint=30\nprofile=high\n"
                + "idle=spin\nunix-mode=660\n");
        EngineConfig c = parse("serve", "--config", file.toString(), "--keyint", "90");
        assertEquals(List.of("unix:/run/fb.sock", "tcp:0.0.0.0:15937"), c.listen().stream().map(Endpoint::toString).toList());
        assertEquals(4, c.maxInFlight());
        assertEquals(90, c.keyint(), "command line beats the file");
        assertEquals(100, c.profile());
        assertEquals("spin", c.idle());
        assertEquals(0660, c.unixMode());
    }

    @Test
    void badValuesNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("serve", "--listen", "unix:/x", "--idle", "nap"));
        assertEquals("--idle nap unknown: use one of [default, spin, yield, backoff]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x", "--profile", "extended"));
        assertEquals("--profile extended unknown: use baseline, main or high", e.getMessage());
    }
}

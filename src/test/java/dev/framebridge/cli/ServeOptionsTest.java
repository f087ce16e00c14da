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
    void encoderThreadsDefaultToTheHostBudgetAndConvertAtPicksWhereRgbBecomesNv12() {
        assertEquals(0, parse("serve").encoderThreads(), "0: the host's budget");
        assertEquals(4, parse("serve", "--encoder-threads", "4").encoderThreads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--encoder-threads", "-1"));
        assertTrue(e.getMessage().startsWith("--encoder-threads -1 must be within 0..256"), e.getMessage());
        assertTrue(parse("serve").convertOnArrival());
        assertEquals(false, parse("serve", "--convert-at", "encoder").convertOnArrival());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--convert-at", "gpu"));
        assertEquals("--convert-at gpu is not a place: use arrival or encoder", e.getMessage());
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
    void frameMemoryLimitsFollowTheWindowAndPayloadUnlessSetInBytesOrWithASuffix() throws Exception {
        EngineConfig c = parse("serve");
        assertEquals(192L << 20, c.maxFrameMemoryPerConnection(), "2 in flight x 64 MiB x 3/2");
        assertEquals(1L << 30, c.maxFrameMemory(), "8 x 2 in flight x 64 MiB");
        assertEquals(32L << 20, c.frameMemoryReserve());

        c = parse("serve", "--max-in-flight", "4", "--max-payload", "33554432");
        assertEquals(192L << 20, c.maxFrameMemoryPerConnection(), "4 x 32 MiB x 3/2");
        assertEquals(1L << 30, c.maxFrameMemory());

        c = parse("serve", "--max-frame-memory", "512M", "--max-frame-memory-per-connection", "64MiB",
                "--frame-memory-reserve", "0");
        assertEquals(512L << 20, c.maxFrameMemory());
        assertEquals(64L << 20, c.maxFrameMemoryPerConnection());
        assertEquals(0, c.frameMemoryReserve());
        assertEquals(100L << 20, parse("serve", "--max-frame-memory", "100m").maxFrameMemoryPerConnection(),
                "the derived per-connection limit never exceeds the total");

        Path file = dir.resolve("memory.properties");
        Files.writeString(file, "max-frame-memory=2G\nmax-frame-memory-per-connection=268435456\nframe-memory-reserve=8M\n");
        c = parse("serve", "--config", file.toString());
        assertEquals(2L << 30, c.maxFrameMemory());
        assertEquals(256L << 20, c.maxFrameMemoryPerConnection());
        assertEquals(8L << 20, c.frameMemoryReserve());
    }

    @Test
    void inconsistentFrameMemoryLimitsAreRefusedNamingTheOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x",
                "--max-frame-memory", "64M", "--max-frame-memory-per-connection", "128M"));
        assertEquals("--max-frame-memory-per-connection 134217728 exceeds --max-frame-memory 67108864: one connection"
                + " cannot hold more than all of them", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x",
                "--max-frame-memory-per-connection", "1000"));
        assertEquals("--max-frame-memory-per-connection 1000 must be at least 1048576 bytes (1M)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x",
                "--max-frame-memory", "64M", "--frame-memory-reserve", "65M"));
        assertEquals("--frame-memory-reserve 68157440 must be within 0..67108864 (--max-frame-memory)", e.getMessage());
        CommandLine.ParameterException p = assertThrows(CommandLine.ParameterException.class,
                () -> parse("serve", "--max-frame-memory", "lots"));
        assertTrue(p.getMessage().contains("'lots' is not a size") && p.getMessage().contains("512M"), p.getMessage());
    }

    @Test
    void badValuesNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("serve", "--listen", "unix:/x", "--idle", "nap"));
        assertEquals("--idle nap unknown: use one of [default, spin, yield, backoff]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x", "--profile", "extended"));
        assertEquals("--profile extended unknown: use baseline, main or high", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--listen", "unix:/x", "--min-receive-rate", "fast"));
        assertEquals("--min-receive-rate fast is not BYTES/SECONDS (e.g. 16384/10), or 0 for off", e.getMessage());
    }

    @Test
    void idleTimeoutAndMinimumReceiveRateReachTheEngine() {
        EngineConfig defaults = parse("serve", "--listen", "unix:/x");
        assertEquals(30_000, defaults.idleTimeoutMs());
        assertEquals(16_384, defaults.minReceiveBytes());
        assertEquals(10_000, defaults.receiveWindowMs());
        EngineConfig c = parse("serve", "--listen", "unix:/x", "--idle-timeout", "5000", "--min-receive-rate", "1000/2");
        assertEquals(5_000, c.idleTimeoutMs());
        assertEquals(1_000, c.minReceiveBytes());
        assertEquals(2_000, c.receiveWindowMs());
        assertEquals(0, parse("serve", "--listen", "unix:/x", "--min-receive-rate", "0").minReceiveBytes());
    }

    @Test
    void regionsAndPoolLimitsReachTheEngine() {
        EngineConfig c = parse("serve", "--region", "guest0=/dev/shm/guest0:64M", "--region", "guest1=/dev/shm/g1",
                "--max-pools", "3");
        assertEquals(2, c.regions().size());
        assertEquals("guest0", c.regions().get(0).name());
        assertEquals(Path.of("/dev/shm/guest0"), c.regions().get(0).path());
        assertEquals(64L << 20, c.regions().get(0).size());
        assertEquals(0, c.regions().get(1).size(), "no size: the whole file");
        assertEquals(3, c.maxPools());
        assertEquals(EngineConfig.DEFAULT_MAX_POOLS, parse("serve").maxPools());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> parse("serve", "--region", "a=/x", "--region", "a=/y"));
        assertEquals("--region a is given twice", twice.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> parse("serve", "--region", "/dev/shm/x"));
        assertTrue(bad.getMessage().startsWith("region '/dev/shm/x' is not NAME=PATH[:SIZE]"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("serve", "--max-pools", "0"));
    }
}

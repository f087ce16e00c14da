package dev.framebridge.cli;

import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.engine.CounterId;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** A real engine (x264) on a Unix socket and a loopback TCP port, what `serve` runs, for the tools to talk to. */
final class TestEngine implements AutoCloseable {
    final Engine engine;
    final Endpoint unix;
    final Endpoint tcp;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    TestEngine(Path dir) throws Exception {
        this(dir, 8192);
    }

    TestEngine(Path dir, int maxDimension) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        EngineConfig config = new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .listen(Endpoint.parse("tcp:127.0.0.1:0"))
                .countersFile(dir.resolve("counters.dat"))
                .maxDimension(maxDimension);
        engine = Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(log, true), false));
        unix = engine.endpoints().get(0);
        tcp = engine.endpoints().get(1);
    }

    long counter(CounterId id) {
        return engine.counters().get(id).get();
    }

    @Override
    public void close() {
        engine.close();
    }
}

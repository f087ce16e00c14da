package dev.framebridge.jmh;

import dev.framebridge.encode.X264Backend;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.transport.Endpoint;
import java.util.concurrent.CountDownLatch;

/**
 * For an A/B of where RGB becomes NV12: {@code serve}'s engine (x264, defaults) on {@code unix:PATH} with
 * conversion on arrival ({@code arrival}, serve's default) or in the encode call ({@code encoder}). Two of these side
 * by side, streamed to in turn by {@code stream-client}, compare the two on the same machine state:
 * {@code jmh/convert-ab}. Runs until killed.
 *
 * <pre>java … -cp target/benchmarks.jar dev.framebridge.jmh.ConvertAbServer unix:/tmp/a.sock arrival</pre>
 */
public final class ConvertAbServer {
    private ConvertAbServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[1].equals("arrival") || args[1].equals("encoder"))) {
            System.err.println("usage: ConvertAbServer unix:PATH arrival|encoder");
            System.exit(2);
        }
        Endpoint endpoint = Endpoint.parse(args[0]);
        EngineConfig config = new EngineConfig().listen(endpoint)
                .countersFile(dev.framebridge.engine.CountersFile.runtimeDirectory().resolveSibling(
                        "framebridge-convert-ab-" + ProcessHandle.current().pid()))
                .convertOnArrival(args[1].equals("arrival"));
        Engine engine = Engine.start(config, new X264Backend(), new EngineLog(System.err, false));
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close));
        new CountDownLatch(1).await();
    }
}

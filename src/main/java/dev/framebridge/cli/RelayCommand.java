package dev.framebridge.cli;

import dev.framebridge.relay.Relay;
import dev.framebridge.relay.RelayLog;
import dev.framebridge.transport.Endpoint;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code framebridge relay LISTEN TARGET}: socat's job in the chain, with HXFR-aware counts and hang-up reports. */
@Command(name = "relay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Accept connections on LISTEN and forward each, both directions, to its own connection to TARGET"
                + " (any pair of tcp:, unix:, vsock:, hvsock:). Replaces socat between a guest and the host engine.",
            "",
            "For every connection it logs (stderr) when it was accepted and connected, each half-close it passes on"
                    + " (\"client sent end of stream … shut down the write side towards the target\"), and when it"
                    + " closes: bytes and HXFR messages per direction, by type, and which side hung up first.",
            "A target that cannot be reached closes the client's connection at once and says so. A target that takes"
                    + " requests (PING, FRAME_REQUEST…) but sends nothing back is named while it happens, once per"
                    + " episode (see --silent-after), and counted in the close line.",
            "Connections to TARGET are made without blocking: a target slow to connect holds up only its own client."},
        footer = {"", "Examples:",
            "  framebridge relay tcp:127.0.0.1:5900 unix:$XDG_RUNTIME_DIR/framebridge/hxfr.sock",
            "  framebridge relay vsock:any:5000 tcp:127.0.0.1:15937 --trace",
            "  framebridge relay hvsock:/run/fc/v.sock:5000 unix:/run/framebridge/hxfr.sock   (listens on"
                    + " /run/fc/v.sock_5000, where Firecracker connects guest-initiated vsock)",
            "",
            "Exit codes: stops on SIGINT/SIGTERM after reporting every open connection (the shell sees 130/143, as for"
                    + " any JVM stopped by a signal); 1 cannot listen on LISTEN (the message says why); 2 bad usage."})
public final class RelayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LISTEN", description = "Endpoint to accept connections on.")
    String listen;

    @Parameters(index = "1", paramLabel = "TARGET", description = "Endpoint each connection is forwarded to.")
    String target;

    @Option(names = "--trace", description = "Print every HXFR message header as it passes (type, flags, session,"
            + " payload size), per direction.")
    boolean trace;

    @Option(names = "--connect-timeout", defaultValue = "2000", paramLabel = "MS",
            description = "Longest wait to connect to TARGET for a new client. Default: ${DEFAULT-VALUE}.")
    long connectTimeoutMs;

    @Option(names = "--silent-after", defaultValue = "2500", paramLabel = "MS",
            description = "Say that TARGET is silent when a request forwarded to it has had no byte back for this long."
                    + " Default: ${DEFAULT-VALUE}.")
    long silentAfterMs;

    @Option(names = "--buffer", defaultValue = "256", paramLabel = "KIB",
            description = "Buffer per direction per connection, KiB. Default: ${DEFAULT-VALUE}.")
    int bufferKib;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        Endpoint from;
        Endpoint to;
        try {
            from = Endpoint.parse(listen);
            to = Endpoint.parse(target);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        CliValues.require(cmd, bufferKib >= 4 && bufferKib <= 65536, "--buffer " + bufferKib
                + " must be within 4..65536 KiB");
        CliValues.require(cmd, connectTimeoutMs >= 1, "--connect-timeout " + connectTimeoutMs + " must be at least 1 ms");
        CliValues.require(cmd, silentAfterMs >= 1, "--silent-after " + silentAfterMs
                + " must be a positive number of milliseconds (the default is 2500)");
        RelayLog log = new RelayLog(System.err);
        Relay relay;
        try {
            relay = Relay.open(from, to, Duration.ofMillis(connectTimeoutMs), Duration.ofMillis(silentAfterMs),
                    bufferKib * 1024, trace, log);
        } catch (Exception e) {
            System.err.println("framebridge relay: cannot listen on " + from + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch done = new CountDownLatch(1);
        // close() waits until the loop has reported every open connection, so nothing is lost on SIGTERM
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            done.countDown();
        }, "framebridge-relay-shutdown"));
        relay.run();
        done.await();
        return 0;
    }
}

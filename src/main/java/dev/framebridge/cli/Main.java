package dev.framebridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * framebridge's command line. Exit codes: 0 success; 1 runtime failure; 2 usage error; subcommands document
 * their own (probe: one per broken hop).
 */
@Command(name = "framebridge", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Low-latency frame-to-H.264 bridge for virtual machines (HXFR host engine and tools).",
        subcommands = {ServeCommand.class, StatCommand.class, ProbeCommand.class, RelayCommand.class, DemoCommand.class,
            EncodeCommand.class, EncodersCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad usage; see each command's --help for its own.",
                "Set FRAMEBRIDGE_DEBUG=1 to see stack traces."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setUsageHelpWidth(120); // the tools' footers (exit codes, examples) are written for 120 columns
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // A bad value found after parsing (an endpoint, a limit) is a usage error with a message, not a crash.
            boolean usage = e instanceof IllegalArgumentException;
            commandLine.getErr().println("framebridge " + commandLine.getCommandName() + ": " + e.getMessage());
            if (System.getenv("FRAMEBRIDGE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return usage ? 2 : 1;
        });
        try {
            ConfigFile.install(cmd, args);
        } catch (CommandLine.ParameterException e) {
            cmd.getErr().println("framebridge: " + e.getMessage());
            return 2;
        }
        return cmd.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"framebridge " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}

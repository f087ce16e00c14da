package dev.framebridge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * framebridge's command line. Exit codes: 0 success; 1 runtime failure; 2 usage error; subcommands document
 * their own (probe: one per broken hop).
 */
@Command(name = "framebridge", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Low-latency frame-to-H.264 bridge for virtual machines (HXFR host engine and tools).",
        subcommands = {ServeCommand.class, StatCommand.class, ProbeCommand.class, RelayCommand.class, DemoCommand.class,
            EncodeCommand.class, EncodersCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad usage (also: no command given); see each command's --help for"
                + " its own.",
                "Set FRAMEBRIDGE_DEBUG=1 to see stack traces."})
public final class Main implements Callable<Integer> {
    static final int USAGE = 2;

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
        registerNumberConverters(cmd);
        cmd.setParameterExceptionHandler((e, typed) -> usageError(e.getCommandLine(), e, typed));
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                // A bad value found after parsing (an endpoint, a limit): the message names the option and the fix.
                return usageError(commandLine, e, args);
            }
            String message = e instanceof IOException io ? CliValues.describe(io)
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
            if (System.getenv("FRAMEBRIDGE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        try {
            ConfigFile.install(cmd, args);
        } catch (CommandLine.ParameterException e) {
            return usageError(cmd, e, args);
        }
        return cmd.execute(args);
    }

    /**
     * One line that says what is wrong, the option's own help line where one option is at fault (what it takes),
     * and where to read more; not the whole --help, which would scroll the error away.
     */
    static int usageError(CommandLine cmd, Exception e, String[] args) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        if (e instanceof CommandLine.ParameterException pe) {
            CommandLine.UnmatchedArgumentException.printSuggestions(pe, err);
            if (pe.getArgSpec() instanceof OptionSpec o && o.description().length > 0) {
                String description = String.join(" ", o.description());
                boolean fromConfig = !given(o, args);
                if (fromConfig) {
                    description = description.replaceAll("\\s*Default: .*$", ""); // it would show the bad value
                }
                err.println("  " + o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "") + ": "
                        + description);
                if (fromConfig) {
                    err.println("  (the value comes from the --config file: correct it there, or give "
                            + o.longestName() + " on the command line, which wins)");
                }
            }
        }
        err.println("Try '" + name + " --help' for " + (cmd.getCommandSpec().subcommands().isEmpty()
                ? "its options, examples and exit codes." : "the commands."));
        err.flush();
        if (System.getenv("FRAMEBRIDGE_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return USAGE;
    }

    /** Whether {@code o} was typed on the command line (else its value came from --config). */
    private static boolean given(OptionSpec o, String[] args) {
        for (String a : args) {
            for (String name : o.names()) {
                if (a.equals(name) || a.startsWith(name + "=")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every int and long option converts through one converter whose message says what to write. */
    private static void registerNumberConverters(CommandLine cmd) {
        CliValues.WholeNumberConverter ints = new CliValues.WholeNumberConverter(Integer.MIN_VALUE, Integer.MAX_VALUE);
        CliValues.WholeNumberConverter longs = new CliValues.WholeNumberConverter(Long.MIN_VALUE, Long.MAX_VALUE);
        CommandLine.ITypeConverter<Integer> toInt = v -> ints.convert(v).intValue();
        cmd.registerConverter(Integer.class, toInt);
        cmd.registerConverter(Integer.TYPE, toInt);
        cmd.registerConverter(Long.class, longs);
        cmd.registerConverter(Long.TYPE, longs);
        cmd.registerConverter(Double.class, new CliValues.DecimalConverter());
        cmd.registerConverter(Double.TYPE, new CliValues.DecimalConverter());
    }

    /** {@code framebridge} alone: the command list, and the exit code of a usage error (a script forgot its command). */
    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        cmd.getErr().println("framebridge: no command given; pick one of these:");
        cmd.usage(cmd.getErr());
        cmd.getErr().flush();
        return USAGE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"framebridge " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}

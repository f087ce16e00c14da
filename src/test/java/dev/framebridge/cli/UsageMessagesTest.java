package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a person sees after a mistake: one line naming the option, the bad value and the fix, the option's own help
 * line, a pointer to --help, exit 2 — never Java's text ("For input string", "under radix 8") and never the whole
 * --help, which would scroll the error away.
 */
class UsageMessagesTest {
    @TempDir
    Path dir;

    private static void assertUsageError(CliRun r, String command, String... mustContain) {
        assertEquals(2, r.exitCode(), r.all());
        for (String s : mustContain) {
            assertTrue(r.err().contains(s), "'" + s + "' in:\n" + r.all());
        }
        assertTrue(r.err().contains("Try 'framebridge " + command + " --help'"), r.all());
        assertFalse(r.err().contains("Usage:"), "not the whole --help:\n" + r.all());
        assertFalse(r.err().contains("For input string") || r.err().contains("radix") || r.err().contains("is not an int")
                || r.err().contains("is not a long") || r.err().contains("Exception"), "no Java text:\n" + r.all());
        assertTrue(r.err().lines().count() <= 4, "a few lines, not a page:\n" + r.all());
    }

    @Test
    void serveFpsThatIsNotANumberSaysHowToWriteARate() {
        assertUsageError(CliRun.of("serve", "--fps", "abc"), "serve", "--fps", "'abc' is not a frame rate", "30000/1001");
    }

    @Test
    void serveUnixModeThatIsNotOctalSaysHowToWriteOne() {
        assertUsageError(CliRun.of("serve", "--unix-mode", "999"), "serve", "--unix-mode", "'999' is not an octal"
                + " permission", "e.g. 600");
    }

    @Test
    void serveFpsAndUnixModeStillTakeWhatTheyShould() {
        CommandLine cmd = new CommandLine(new Main());
        CommandLine.ParseResult r = cmd.parseArgs("serve", "--fps", "30000/1001", "--unix-mode", "0660");
        ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
        assertEquals(new CliValues.FrameRate(30000, 1001), serve.fps);
        assertEquals(0660, serve.unixMode);
    }

    @Test
    void everyNumericOptionOfEveryCommandExplainsABadValue() {
        // Found by walking the model, so an option added later is covered too.
        Map<String, String[]> required = Map.of(
                "probe", new String[] {"unix:/nowhere"},
                "relay", new String[] {"tcp:127.0.0.1:1", "unix:/nowhere"});
        CommandLine main = new CommandLine(new Main());
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, CommandLine> sub : main.getSubcommands().entrySet()) {
            for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
                Class<?> t = o.auxiliaryTypes()[0];
                boolean numeric = t == int.class || t == Integer.class || t == long.class || t == Long.class
                        || t == double.class || t == Double.class || t == CliValues.FrameRate.class
                        || o.longestName().equals("--unix-mode");
                if (!numeric) {
                    continue;
                }
                List<String> args = new ArrayList<>(List.of(sub.getKey()));
                args.addAll(List.of(required.getOrDefault(sub.getKey(), new String[0])));
                args.addAll(List.of(o.longestName(), "abc"));
                CliRun r = CliRun.of(args.toArray(String[]::new));
                assertUsageError(r, sub.getKey(), o.longestName(), "'abc'");
                assertTrue(r.err().contains("  " + o.longestName() + " " + o.paramLabel() + ": "),
                        "the option's help line says what it takes:\n" + r.all());
                checked.add(sub.getKey() + " " + o.longestName());
            }
        }
        assertTrue(checked.size() >= 25, "numeric options found: " + checked);
    }

    @Test
    void aNumberTooLargeSaysTheLimit() {
        assertUsageError(CliRun.of("serve", "--bitrate", "99999999999"), "serve", "--bitrate", "'99999999999' is too"
                + " large", "2147483647");
    }

    @Test
    void outOfRangeValuesNameTheOptionTheValueAndTheRange() {
        assertUsageError(CliRun.of("probe", "unix:/nowhere", "--timeout", "0"), "probe", "--timeout 0 must be at least 1");
        assertUsageError(CliRun.of("probe", "unix:/nowhere", "--frames", "-1"), "probe", "--frames -1 must not be negative");
        assertUsageError(CliRun.of("relay", "tcp:127.0.0.1:1", "unix:/x", "--buffer", "1"), "relay",
                "--buffer 1 must be within 4..65536");
        assertUsageError(CliRun.of("relay", "tcp:127.0.0.1:1", "unix:/x", "--connect-timeout", "0"), "relay",
                "--connect-timeout 0 must be at least 1");
        assertUsageError(CliRun.of("demo", "--guests", "0"), "demo", "--guests 0 must be within 1..64");
        assertUsageError(CliRun.of("demo", "--seconds", "-2"), "demo", "--seconds -2.0 must be positive");
        assertUsageError(CliRun.of("demo", "--transport", "udp"), "demo", "--transport udp unknown: use unix or tcp");
        assertUsageError(CliRun.of("encode", "--in", "x", "--size", "64x48", "--format", "bgra", "--out", "y",
                "--keyint", "0"), "encode", "--keyint 0 must be at least 1");
        assertUsageError(CliRun.of("encode", "--in", "x", "--size", "64x48", "--format", "bgra", "--out", "y",
                "--stride", "-4"), "encode", "--stride -4 is less than a row");
        assertUsageError(CliRun.of("stat", "--interval", "0"), "stat", "--interval 0 must be at least 1 ms");
        assertUsageError(CliRun.of("serve", "--listen", "unix:/x", "--max-in-flight", "0"), "serve",
                "--max-in-flight 0 must be within 1..64");
        assertUsageError(CliRun.of("serve", "--listen", "unix:/x", "--keyint", "0"), "serve", "--keyint 0 must be at"
                + " least 1");
        assertUsageError(CliRun.of("serve", "--listen", "unix:/x", "--bitrate", "-5"), "serve", "--bitrate -5 must not"
                + " be negative");
    }

    @Test
    void usageErrorsOfEveryToolAreOneLineAndAPointerToHelp() {
        assertUsageError(CliRun.of("probe"), "probe", "Missing required parameter: 'ENDPOINT'");
        assertUsageError(CliRun.of("probe", "unix:/x", "--frame", "3"), "probe", "Unknown option", "--frames");
        assertUsageError(CliRun.of("relay", "tcp:127.0.0.1:5900"), "relay", "Missing required parameter: 'TARGET'");
        assertUsageError(CliRun.of("encode", "--in", "x"), "encode", "Missing required options");
        assertUsageError(CliRun.of("demo", "--bogus"), "demo", "Unknown option: '--bogus'");
        assertUsageError(CliRun.of("serve", "--bogus"), "serve", "Unknown option: '--bogus'");
        assertUsageError(CliRun.of("probe", "udp:1.2.3.4:5"), "probe", "unknown scheme \"udp\"");
    }

    @Test
    void bareFramebridgeListsTheCommandsAndExitsTwo() {
        CliRun r = CliRun.of();
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("no command given"), r.all());
        for (String c : List.of("serve", "stat", "probe", "relay", "demo", "encode")) {
            assertTrue(r.err().contains("\n  " + c + " "), c + " listed:\n" + r.all());
        }
        assertEquals(0, CliRun.of("help").exitCode(), "asking for help is not an error");
    }

    @Test
    void aConfigFileThatCannotBeReadNamesTheFileAndWhy() {
        Path missing = dir.resolve("none.properties");
        CliRun r = CliRun.of("serve", "--config", missing.toString());
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("cannot read --config " + missing + " (" + missing + ": no such file or directory)"),
                r.all());
    }

    @Test
    void aBadValueFromTheConfigFileSaysWhereItCameFrom() throws Exception {
        Path config = Files.writeString(dir.resolve("fb.properties"), "fps=abc\n");
        CliRun r = CliRun.of("serve", "--config", config.toString());
        assertUsageError(r, "serve", "'abc' is not a frame rate", "the value comes from the --config file");
        assertFalse(r.err().contains("Default: abc"), r.all());
    }

    @Test
    void statOnADirectorySaysWhichFileItWants() {
        CliRun r = CliRun.of("stat", "--counters-file", dir.toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("--counters-file " + dir + " is a directory: give the file"), r.all());
    }

    @Test
    void probeOfAPathThatIsNotASocketSaysSoInsteadOfNothingListens() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a socket");
        CliRun r = CliRun.of("probe", "unix:" + file, "--frames", "0");
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.out().contains(file + " is a regular file, not a socket: nothing can listen there — check the"
                + " path"), r.all());
        assertFalse(r.out().contains("connection refused"), r.all());
        r = CliRun.of("probe", "unix:" + dir, "--frames", "0");
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.out().contains(dir + " is a directory, not a socket"), r.all());
    }

    @Test
    void statOnSomethingThatIsNotACountersFileSaysSo() throws Exception {
        Path file = Files.writeString(dir.resolve("counters.dat"), "short");
        CliRun r = CliRun.of("stat", "--counters-file", file.toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains(file + " is not a framebridge counters file"), r.all());
    }
}

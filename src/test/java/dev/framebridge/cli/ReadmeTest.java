package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's configuration reference is checked against the code, so an option cannot go stale or missing. */
class ReadmeTest {
    private static String readme() throws Exception {
        return Files.readString(Path.of(System.getProperty("framebridge.basedir", "."), "README.md"));
    }

    @Test
    void everyServeOptionIsInTheReadmesReference() throws Exception {
        String readme = readme();
        int at = readme.indexOf("## Configuration reference");
        assertTrue(at >= 0, "README has a '## Configuration reference' section");
        String reference = readme.substring(at);
        CommandLine serve = new CommandLine(new ServeCommand());
        List<String> missing = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : serve.getCommandSpec().options()) {
            if (!reference.contains("`" + o.longestName())) {
                missing.add(o.longestName());
            }
        }
        assertTrue(missing.isEmpty(), "serve options missing from README's configuration reference: " + missing);
        // and nothing in the reference table that serve does not have
        for (String line : reference.split("\n")) {
            if (line.startsWith("| `--")) {
                String name = line.substring(3, line.indexOf('`', 3)).split("[ =]")[0];
                assertTrue(serve.getCommandSpec().findOption(name) != null, "README documents " + name
                        + " but serve has no such option");
            }
            if (line.startsWith("## ") && !line.startsWith("## Configuration reference")) {
                break;
            }
        }
    }

    @Test
    void everySubcommandHasCleanHelpWithExitCodes() {
        for (String sub : new CommandLine(new Main()).getSubcommands().keySet()) {
            if (sub.equals("help")) {
                continue;
            }
            CliRun r = CliRun.of(sub, "--help");
            assertTrue(r.exitCode() == 0 && r.err().isEmpty(), sub + " --help is clean:\n" + r.all());
            assertTrue(r.out().contains("Exit codes"), sub + " --help documents its exit codes");
        }
    }

    @Test
    void everySubcommandIsInTheReadme() throws Exception {
        String readme = readme();
        assertTrue(readme.startsWith("# framebridge"));
        assertTrue(readme.contains("bin/framebridge serve ") && readme.contains("bin/test "), "the two commands first");
        for (String sub : new CommandLine(new Main()).getSubcommands().keySet()) {
            if (!sub.equals("help")) {
                assertTrue(readme.contains("bin/framebridge " + sub), "README shows how to run " + sub);
            }
        }
    }
}

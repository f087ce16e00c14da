package dev.framebridge.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code --config FILE}: a properties file whose keys are the long option names without dashes
 * ({@code max-in-flight=4}, {@code listen=unix:/run/fb.sock,tcp:127.0.0.1:15937}). Values on the command line win.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    static void install(CommandLine cmd, String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            }
        }
        if (file == null) {
            return;
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cmd, "cannot read --config " + file + " ("
                    + CliValues.describe(e) + "): give a readable properties file, e.g. listen=tcp:127.0.0.1:15937");
        }
        cmd.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(props));
    }
}

package dev.framebridge.nativebuild;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles one probe from {@code native-build/probes/} with the system C compiler against
 * {@code headers/} and the installed system headers, runs it, and returns its facts
 * ({@code key value} lines, see {@code native-build/probe.h}).
 */
public final class NativeProbe {
    private NativeProbe() {
    }

    public static Path baseDir() {
        return Path.of(System.getProperty("framebridge.basedir", ".")).toAbsolutePath();
    }

    public static Path buildDir() {
        return Path.of(System.getProperty("framebridge.builddir", "target")).toAbsolutePath();
    }

    /** Builds {@code native-build/probes/NAME.c} (plus extra cc arguments such as -l flags) and runs it. */
    public static Map<String, Long> facts(String name, String... extraCcArgs) throws IOException, InterruptedException {
        Path source = baseDir().resolve("native-build/probes/" + name + ".c");
        Path binary = compile(source, "probe-" + name, extraCcArgs);
        return parse(run(binary));
    }

    /** Compiles a C file against headers/ and native-build/ into target/native-build; returns the executable. */
    public static Path compile(Path source, String outputName, String... extraCcArgs) throws IOException, InterruptedException {
        Path outDir = buildDir().resolve("native-build");
        Files.createDirectories(outDir);
        Path binary = outDir.resolve(outputName);
        List<String> cmd = new ArrayList<>(List.of("cc", "-std=gnu11", "-Wall", "-Werror",
                "-I", baseDir().resolve("headers").toString(),
                "-I", baseDir().resolve("native-build").toString(),
                "-o", binary.toString(), source.toString()));
        cmd.addAll(List.of(extraCcArgs));
        String out = exec(cmd);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("C compiler produced no binary for " + source + ":\n" + out);
        }
        return binary;
    }

    public static String run(Path binary, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static Map<String, Long> parse(String output) {
        Map<String, Long> facts = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                throw new IllegalArgumentException("probe line is not 'key value': " + line);
            }
            facts.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).trim()));
        }
        return facts;
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", cmd));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text
                    + "\n(missing headers? run bin/install-deps)");
        }
        return text;
    }
}

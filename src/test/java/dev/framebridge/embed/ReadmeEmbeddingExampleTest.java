package dev.framebridge.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.Ffmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example is a complete program that works: taken from the README as written, compiled with
 * javac against the project's classes, run, and its H.264 decoded by ffmpeg.
 */
@Timeout(180)
class ReadmeEmbeddingExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesEmbeddingExampleCompilesRunsAndWritesDecodableH264() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("framebridge.basedir", "."), "README.md"));
        int section = readme.indexOf("## Embedding in a JVM application");
        assertTrue(section >= 0, "README has an 'Embedding in a JVM application' section");
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(section), "the section has a java code block");
        String source = block.group(1);
        Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(name.find(), "the example is a complete public class");
        Path file = dir.resolve(name.group(1) + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(),
                file.toString());
        assertEquals(0, rc, "the README example does not compile:\n" + errors.toString(StandardCharsets.UTF_8));

        Path out = dir.resolve("embed.h264");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {out.toString()});
        } finally {
            System.setOut(stdout);
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("wrote " + out + ": "), printed.toString());
        List<Ffmpeg.Frame> frames = Ffmpeg.probe(out);
        assertEquals(90, frames.size());
        assertEquals(640, frames.get(0).width());
        assertEquals(360, frames.get(0).height());
        assertTrue(frames.get(0).key());
    }
}

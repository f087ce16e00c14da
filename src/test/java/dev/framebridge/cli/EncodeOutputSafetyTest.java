package dev.framebridge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.TestPattern;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.frame.PixelFormat;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encode} never destroys data: an --out that is the --in (by inode: same path, another spelling, a hard link,
 * a symbolic link) is refused before anything is opened for writing, and the output appears only when the whole
 * stream is written (temporary file beside it, renamed), so a failed run leaves the old file and no debris.
 */
@Timeout(60)
class EncodeOutputSafetyTest {
    @TempDir
    Path dir;

    private Path raw;
    private byte[] rawBytes;

    @BeforeEach
    void frames() throws Exception {
        raw = dir.resolve("in.bgra");
        try (TestPattern p = new TestPattern(64, 48, PixelFormat.BGRA8888); OutputStream out = Files.newOutputStream(raw)) {
            for (int i = 0; i < 5; i++) {
                out.write(p.frame(i).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        rawBytes = Files.readAllBytes(raw);
    }

    private CliRun encode(Path in, String out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("encode", "--in", in.toString(), "--size", "64x48",
                "--format", "bgra", "--out", out));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private List<String> temporaryFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    private void assertRefusedAndInputIntact(CliRun r) throws Exception {
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("is the same file as --in") && r.err().contains("choose another --out"), r.all());
        assertArrayEquals(rawBytes, Files.readAllBytes(raw), "the input is untouched");
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void outputThatIsTheInputBySamePathIsRefused() throws Exception {
        assertRefusedAndInputIntact(encode(raw, raw.toString()));
    }

    @Test
    void outputThatIsTheInputSpelledAnotherWayIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        assertRefusedAndInputIntact(encode(raw, dir.resolve("sub/../in.bgra").toString()));
    }

    @Test
    void outputThatIsAHardLinkToTheInputIsRefused() throws Exception {
        Path link = Files.createLink(dir.resolve("hard.h264"), raw);
        assertRefusedAndInputIntact(encode(raw, link.toString()));
    }

    @Test
    void outputThatIsASymbolicLinkToTheInputIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("soft.h264"), raw);
        assertRefusedAndInputIntact(encode(raw, link.toString()));
        // and the other way round: --in through a link, --out the file itself
        assertRefusedAndInputIntact(encode(link, raw.toString()));
    }

    @Test
    void failedEncodeLeavesThePreviousOutputIntactAndNoTemporaryFile() throws Exception {
        Path out = dir.resolve("out.h264");
        Files.writeString(out, "an earlier good stream");
        CliRun r = encode(raw, out.toString(), "--preset", "no-such-preset"); // fails after the output was opened
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("no preset 'no-such-preset'"), r.all());
        assertEquals("an earlier good stream", Files.readString(out));
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void successfulEncodeReplacesTheOutputKeepingItsModeAndLinks() throws Exception {
        Path out = dir.resolve("out.h264");
        Files.writeString(out, "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        Path link = Files.createSymbolicLink(dir.resolve("latest.h264"), out.getFileName());
        CliRun r = encode(raw, link.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(Files.isSymbolicLink(link), "--out through a link writes the link's target; the link stays");
        assertEquals(5, Ffmpeg.probe(out).size(), "the whole stream: 5 frames decode");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void outputInAMissingDirectoryNamesTheDirectoryAndTheFix() throws Exception {
        Path missing = dir.resolve("missing/dir/x.h264");
        CliRun r = encode(raw, missing.toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("cannot write --out " + missing + ": the directory " + missing.getParent()
                + " does not exist — create it (mkdir -p " + missing.getParent() + ")"), r.all());
    }

    @Test
    void inputThatIsADirectoryIsNamedAsOne() {
        CliRun r = encode(dir, dir.resolve("x.h264").toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("--in " + dir + " is a directory: give the file of raw frames"), r.all());
        assertTrue(!r.err().contains("bytes, less than one"), r.all());
    }

    @Test
    void outputThatIsADirectoryIsNamedAsOne() {
        CliRun r = encode(raw, dir.toString());
        assertEquals(1, r.exitCode(), r.all());
        assertTrue(r.err().contains("--out " + dir + " is a directory: give a file name"), r.all());
    }
}

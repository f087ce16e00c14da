package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback runtime directory lives in shared /dev/shm: it is created 0700, and one that another user owns or
 * could write to is refused with the reason and the fix, since that user could put their socket in place of ours.
 * The counters file in it is 0600.
 */
class RuntimeDirectoryTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private Path existing(String name, String mode) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        return dir;
    }

    @Test
    void aMissingDirectoryIsCreated0700() throws Exception {
        Path dir = RuntimeDirectory.prepare(tmp.resolve("framebridge-me"));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void aWorldWritableDirectoryIsRefusedAndLeftAsItIs() throws Exception {
        Path dir = existing("framebridge-me", "rwxrwxrwx");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeDirectory.prepare(dir));
        assertEquals("will not use " + dir + ": it is mode 0777, writable by group and others, who could replace the"
                + " socket in it with their own — chmod 700 " + dir + " (if nothing in it is someone else's), or remove"
                + " it (rm -r " + dir + ") and framebridge creates it 0700; or set XDG_RUNTIME_DIR to a private"
                + " directory of yours (mode 0700)", e.getMessage());
        assertEquals("rwxrwxrwx", mode(dir), "refused, not silently repaired");
    }

    @Test
    void aGroupWritableDirectoryIsRefused() throws Exception {
        Path dir = existing("framebridge-me", "rwxrwx---");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeDirectory.prepare(dir));
        assertTrue(e.getMessage().contains("mode 0770, writable by its group"), e.getMessage());
    }

    @Test
    void aDirectoryOnlyReadableByOthersIsTightenedTo0700() throws Exception {
        Path dir = existing("framebridge-me", "rwxr-xr-x"); // what earlier versions created under umask 022
        assertEquals(dir, RuntimeDirectory.prepare(dir));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void aSymbolicLinkIsRefused() throws Exception {
        Path target = existing("elsewhere", "rwx------");
        Path link = Files.createSymbolicLink(tmp.resolve("framebridge-me"), target);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeDirectory.prepare(link));
        assertTrue(e.getMessage().contains("it is a symbolic link") && e.getMessage().contains("rm " + link),
                e.getMessage());
    }

    @Test
    void aFileInTheWayIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("framebridge-me"), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeDirectory.prepare(file));
        assertTrue(e.getMessage().contains("exists and is not a directory"), e.getMessage());
    }

    @Test
    void aDirectoryOfAnotherUserIsRefusedWhateverItsMode() {
        int me = RuntimeDirectory.currentUid();
        int other = me + 1;
        assertEquals(RuntimeDirectory.Verdict.REFUSE, RuntimeDirectory.verdict(true, false, other, me, 0700));
        assertEquals(RuntimeDirectory.Verdict.REFUSE, RuntimeDirectory.verdict(true, false, other, me, 0755));
        assertEquals(RuntimeDirectory.Verdict.USE, RuntimeDirectory.verdict(true, false, me, me, 0700));
        assertEquals(RuntimeDirectory.Verdict.USE, RuntimeDirectory.verdict(true, false, me, me, 01700));
        assertEquals(RuntimeDirectory.Verdict.TIGHTEN_TO_0700, RuntimeDirectory.verdict(true, false, me, me, 0750));
        assertEquals(RuntimeDirectory.Verdict.REFUSE, RuntimeDirectory.verdict(true, false, me, me, 0703));
        String why = RuntimeDirectory.refusal(Path.of("/dev/shm/framebridge-me"), true, false, other, me, 0700);
        assertTrue(why.contains("it belongs to uid " + other + ", not to you (uid " + me + ")")
                && why.contains("XDG_RUNTIME_DIR"), why);
    }

    @Test
    void aDirectoryChownedToAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue(RuntimeDirectory.currentUid() == 0, "only root can give a directory away");
        Path dir = existing("framebridge-me", "rwx------");
        Files.setAttribute(dir, "unix:uid", 65534);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeDirectory.prepare(dir));
        assertTrue(e.getMessage().contains("it belongs to uid 65534, not to you (uid 0)"), e.getMessage());
    }

    @Test
    void theCountersFileIsReadableByItsOwnerOnly() throws Exception {
        Path path = tmp.resolve("counters.dat");
        Files.writeString(path, "an older, world-readable file");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        try (CountersFile f = CountersFile.create(path, "unix:/x"); CountersFile reader = CountersFile.open(path)) {
            assertEquals("rw-------", mode(path));
            assertEquals(CountersFile.fileLength(), Files.size(path));
            assertEquals("unix:/x", reader.endpoints());
        }
    }
}

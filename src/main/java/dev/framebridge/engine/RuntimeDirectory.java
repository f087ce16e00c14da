package dev.framebridge.engine;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The per-user directory that holds {@code serve}'s default Unix socket and counters file:
 * {@code $XDG_RUNTIME_DIR/framebridge}, else {@code /dev/shm/framebridge-$USER}, else one under the temporary
 * directory. Both are memory (tmpfs): the counters are a mapped file the I/O thread writes every frame, and on a
 * disk filesystem its dirty pages are written back and write-protected every few seconds, so the next counter
 * update takes a page fault (or waits for the write).
 * <p>
 * /dev/shm and /tmp are shared by every user, so the fallback's name can be taken by someone else first: whoever
 * can write into the directory can move our socket away and listen in its place, and read the counters. So the
 * directory is created 0700, and one that exists is used only if it is a real directory owned by this user that
 * nobody else can write to (one only readable by others, as older versions created it, is tightened to 0700).
 */
public final class RuntimeDirectory {
    private RuntimeDirectory() {
    }

    /** What to do with a directory that already exists. */
    public enum Verdict {
        USE, TIGHTEN_TO_0700, REFUSE
    }

    /** Where the directory is, without touching it (option defaults are computed from it). */
    public static Path path() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, "framebridge");
        }
        String name = "framebridge-" + System.getProperty("user.name");
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve(name);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), name);
    }

    /** {@link #path()}, created or checked by {@link #prepare(Path)}. */
    public static Path prepare() {
        return prepare(path());
    }

    /**
     * Creates {@code dir} with mode 0700 if it is missing, or checks the one that is there; returns it.
     *
     * @throws IllegalStateException saying why the directory cannot be trusted and how to fix it
     */
    public static Path prepare(Path dir) {
        try {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException exists) {
                // checked below, like one we created: someone may have made it between our look and our create
            }
            Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            Verdict v = verdict((Boolean) a.get("isDirectory"), (Boolean) a.get("isSymbolicLink"), (Integer) a.get("uid"),
                    currentUid(), mode);
            switch (v) {
                case USE -> {
                }
                case TIGHTEN_TO_0700 -> Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                case REFUSE -> throw new IllegalStateException(refusal(dir, (Boolean) a.get("isDirectory"),
                        (Boolean) a.get("isSymbolicLink"), (Integer) a.get("uid"), currentUid(), mode));
            }
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot create the runtime directory " + dir + " (" + e.getMessage()
                    + "): set XDG_RUNTIME_DIR to a private directory of yours, or give --listen and --counters-file", e);
        }
    }

    /**
     * The decision, apart from the file system so every case can be tested (a foreign owner needs no second user):
     * a symbolic link, something else than a directory, another owner, or write access for group or others is
     * refused; read or search access for group or others is taken away; 0700 is used as it is.
     */
    public static Verdict verdict(boolean isDirectory, boolean isSymbolicLink, int ownerUid, int myUid, int mode) {
        if (isSymbolicLink || !isDirectory || ownerUid != myUid || (mode & 0022) != 0) {
            return Verdict.REFUSE;
        }
        return (mode & 0077) != 0 ? Verdict.TIGHTEN_TO_0700 : Verdict.USE;
    }

    /** Why {@link #verdict} refused, and the fix. */
    public static String refusal(Path dir, boolean isDirectory, boolean isSymbolicLink, int ownerUid, int myUid, int mode) {
        String fix = "; or set XDG_RUNTIME_DIR to a private directory of yours (mode 0700)";
        if (isSymbolicLink) {
            return "will not use " + dir + ": it is a symbolic link, and its target could be anyone's — remove it"
                    + " (rm " + dir + ") and framebridge creates a private directory there" + fix;
        }
        if (!isDirectory) {
            return "will not use " + dir + ": it exists and is not a directory — remove it (rm " + dir + ")" + fix;
        }
        if (ownerUid != myUid) {
            return "will not use " + dir + ": it belongs to uid " + ownerUid + ", not to you (uid " + myUid + "), so its"
                    + " owner could replace the socket in it with their own — have it removed (by its owner or root)" + fix;
        }
        return "will not use " + dir + ": it is mode " + String.format("%04o", mode & 07777) + ", writable by "
                + ((mode & 0020) != 0 && (mode & 0002) != 0 ? "group and others" : (mode & 0020) != 0 ? "its group" : "others")
                + ", who could replace the socket in it with their own — chmod 700 " + dir + " (if nothing in it is"
                + " someone else's), or remove it (rm -r " + dir + ") and framebridge creates it 0700" + fix;
    }

    /** This process's user id (the owner a directory we create gets). */
    public static int currentUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }
}

package dev.framebridge.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file written in full or not at all: the bytes go to a temporary file beside it (same directory, so the
 * same file system) that {@link #commit()} renames over the target in one step. A run that fails, or is stopped,
 * leaves a file that was there before as it was and no temporary file behind.
 */
final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private boolean committed;

    private AtomicOutput(Path target, Path temporary, FileChannel channel) {
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
    }

    /**
     * Where {@code out} really goes: itself, or the file a symbolic link points to (so the link stays a link).
     *
     * @throws CliProblem naming {@code option}, the path and the fix when it cannot be written there
     */
    static Path target(Path out, String option) throws CliProblem {
        Path target = out;
        if (Files.exists(out)) {
            if (Files.isDirectory(out)) {
                throw new CliProblem(option + " " + out + " is a directory: give a file name, e.g. "
                        + out.resolve("out.h264"));
            }
            try {
                target = out.toRealPath();
            } catch (IOException e) {
                throw new CliProblem("cannot write " + option + " " + out + " (" + CliValues.describe(e) + ")");
            }
        }
        Path dir = Objects.requireNonNullElse(target.toAbsolutePath().getParent(), Path.of("/"));
        if (!Files.isDirectory(dir)) {
            throw new CliProblem("cannot write " + option + " " + out + ": the directory " + dir + (Files.exists(dir)
                    ? " is not a directory" : " does not exist") + " — create it (mkdir -p " + dir + ") or choose"
                    + " another " + option);
        }
        if (!Files.isWritable(dir)) {
            throw new CliProblem("cannot write " + option + " " + out + ": no permission to create files in " + dir
                    + " — choose another " + option);
        }
        return target;
    }

    /** True when {@code a} and {@code b} are one file (same device and inode), however each is spelled or linked. */
    static boolean sameFile(Path a, Path b) {
        try {
            Object ka = Files.readAttributes(a, BasicFileAttributes.class).fileKey();
            Object kb = Files.readAttributes(b, BasicFileAttributes.class).fileKey();
            return ka != null ? ka.equals(kb) : Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // one of them does not exist (yet): not the same file
        }
    }

    /** Opens a new temporary file next to {@code target} (see {@link #target}); nothing is written to the target yet. */
    static AtomicOutput open(Path target) throws IOException {
        Path dir = Objects.requireNonNullElse(target.toAbsolutePath().getParent(), Path.of("/"));
        String name = target.getFileName().toString();
        for (int attempt = 0; ; attempt++) {
            Path temporary = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                // CREATE_NEW: never follows or reuses what someone else put there; default mode, as the target's would be
                FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                temporary.toFile().deleteOnExit(); // stopped by SIGINT/SIGTERM before commit: no debris
                return new AtomicOutput(target, temporary, channel);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            } catch (IOException e) {
                throw new IOException("cannot create a file in " + dir + " (" + CliValues.describe(e) + ")", e);
            }
        }
    }

    FileChannel channel() {
        return channel;
    }

    Path temporary() {
        return temporary;
    }

    /** Writes the bytes through to the disk and puts the file in the target's place, keeping the old one's mode. */
    void commit() throws IOException {
        channel.force(true);
        channel.close();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            } catch (IOException | UnsupportedOperationException ignored) {
                // the default mode is as good as the old file's where it cannot be copied
            }
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    /** Without {@link #commit()}: removes the temporary file; the target is as it was. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            channel.close();
            Files.deleteIfExists(temporary);
        }
    }

    /** A problem with a file the user named, as a sentence to print. */
    static final class CliProblem extends Exception {
        private static final long serialVersionUID = 1L;

        CliProblem(String message) {
            super(message, null, false, false);
        }
    }
}

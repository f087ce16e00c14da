package dev.framebridge.engine;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The memory-mapped file a running engine publishes its counters and distinct errors in, the way Aeron's
 * driver publishes cnc.dat; {@code framebridge stat} maps it from another process.
 * <pre>
 *   0  int   magic 'FBCN' (0x4E434246)
 *   4  int   version
 *   8  long  pid of the engine
 *  16  long  start time (epoch ms)
 *  24  int   metadata length        28  int values length        32  int error log length
 *  36  int   endpoints text length  40  char[216] endpoints (UTF-8), what the engine listens on
 * 256  metadata (CountersManager)   …  values   …  distinct error log
 * </pre>
 */
public final class CountersFile implements AutoCloseable {
    public static final int MAGIC = 0x4E434246;
    public static final int VERSION = 1;
    static final int HEADER_LENGTH = 256;
    static final int ENDPOINTS_OFFSET = 40;
    static final int ENDPOINTS_CAPACITY = HEADER_LENGTH - ENDPOINTS_OFFSET;
    /** The fixed counters ({@link CounterId}) and one per open session (frame memory), up to this many in all. */
    static final int MAX_COUNTERS = 320;
    static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
    static final int ERROR_LOG_LENGTH = 256 * 1024;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final AtomicBuffer metadata;
    private final AtomicBuffer values;
    private final AtomicBuffer errorLog;
    private final boolean owner;

    private CountersFile(Path path, MappedByteBuffer mapped, boolean owner) {
        this.path = path;
        this.mapped = mapped;
        this.owner = owner;
        UnsafeBuffer all = new UnsafeBuffer(mapped);
        header = new UnsafeBuffer(all, 0, HEADER_LENGTH);
        metadata = new UnsafeBuffer(all, HEADER_LENGTH, METADATA_LENGTH);
        values = new UnsafeBuffer(all, HEADER_LENGTH + METADATA_LENGTH, VALUES_LENGTH);
        errorLog = new UnsafeBuffer(all, HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH, ERROR_LOG_LENGTH);
    }

    static long fileLength() {
        return (long) HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH + ERROR_LOG_LENGTH;
    }

    /**
     * Creates (replacing any previous file) and maps a new counters file for this process, mode 0600 like the socket:
     * the counters and the distinct errors (which quote clients' bad requests) are this user's business.
     */
    public static CountersFile create(Path path, String endpoints) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent.equals(RuntimeDirectory.path().toAbsolutePath())) {
            RuntimeDirectory.prepare(parent); // shared /dev/shm: created 0700, refused if someone else could write there
        } else {
            try {
                Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create the directory " + parent + " for the counters file ("
                        + why(e) + "): give --counters-file a path in a directory of yours", e);
            }
        }
        // Built under a name of its own and renamed into place complete: a reader (stat) that finds the file while it is
        // being sized would otherwise see it too short and take it for somebody else's.
        Path building = path.resolveSibling(path.getFileName() + ".building-" + ProcessHandle.current().pid());
        IoUtil.deleteIfExists(building.toFile());
        MappedByteBuffer mapped;
        // opened here with its mode, not by IoUtil.mapNewFile (which would make it 0644 under the usual umask)
        try (FileChannel channel = FileChannel.open(building, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            IoUtil.fill(channel, 0, fileLength(), (byte) 0); // allocates every page now, not on the first frames
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength());
        } catch (java.io.IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot create the counters file " + path + " (" + why(e) + "): give"
                    + " --counters-file a path in a directory of yours", e);
        }
        CountersFile f = new CountersFile(path, mapped, true);
        f.header.putLong(8, ProcessHandle.current().pid());
        f.header.putLong(16, System.currentTimeMillis());
        f.header.putInt(24, METADATA_LENGTH);
        f.header.putInt(28, VALUES_LENGTH);
        f.header.putInt(32, ERROR_LOG_LENGTH);
        byte[] text = endpoints.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, ENDPOINTS_CAPACITY);
        f.header.putInt(36, n);
        f.header.putBytes(ENDPOINTS_OFFSET, text, 0, n);
        f.header.putInt(4, VERSION);
        f.header.putIntVolatile(0, MAGIC); // last: a reader sees a complete header or none
        try {
            Files.move(building, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            IoUtil.unmap(mapped); // not close(): that would delete whatever is at path
            IoUtil.deleteIfExists(building.toFile());
            throw new IllegalStateException("cannot put the counters file in place at " + path + " (" + why(e)
                    + "): give --counters-file a path in a directory of yours", e);
        }
        return f;
    }

    /** A file-system failure in words: Java's message for a missing file is only its path. */
    private static String why(Exception e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.NoSuchFileException x -> "no such file or directory";
            case java.nio.file.FileAlreadyExistsException x -> "it appeared again as we created it";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }

    /** Maps an existing counters file read-only in spirit (stat never writes). */
    public static CountersFile open(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException("no counters file at " + path
                    + " — is `framebridge serve` running? (it writes one at start; see --counters-file)");
        }
        MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "framebridge counters");
        if (mapped.capacity() < fileLength()) {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(path + " is not a framebridge counters file (too short)");
        }
        CountersFile f = new CountersFile(path, mapped, false);
        if (f.header.getIntVolatile(0) == 0) {
            f.close();
            throw new IllegalStateException(path + " is still being written by an engine that is starting: try again"
                    + " in a moment");
        }
        if (f.header.getIntVolatile(0) != MAGIC || f.header.getInt(4) != VERSION) {
            f.close();
            throw new IllegalStateException(path + " is not a framebridge counters file of version " + VERSION);
        }
        return f;
    }

    public CountersManager newCountersManager() {
        return new CountersManager(metadata, values, StandardCharsets.US_ASCII);
    }

    public CountersReader reader() {
        return new CountersReader(metadata, values, StandardCharsets.US_ASCII);
    }

    public AtomicBuffer errorLogBuffer() {
        return errorLog;
    }

    public long pid() {
        return header.getLong(8);
    }

    public long startTimeMs() {
        return header.getLong(16);
    }

    public String endpoints() {
        int n = header.getInt(36);
        byte[] b = new byte[n];
        header.getBytes(ENDPOINTS_OFFSET, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
        if (owner) {
            IoUtil.deleteIfExists(path.toFile());
        }
    }

    /** Where an engine of this user writes its counters by default: in {@link RuntimeDirectory#path()}. */
    public static Path defaultPath() {
        return runtimeDirectory().resolve("counters.dat");
    }

    /** {@link RuntimeDirectory#path()}: where {@code serve} keeps its default Unix socket and counters. */
    public static Path runtimeDirectory() {
        return RuntimeDirectory.path();
    }
}

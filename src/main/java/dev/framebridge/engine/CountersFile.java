package dev.framebridge.engine;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Creates (replacing any previous file) and maps a new counters file for this process. */
    public static CountersFile create(Path path, String endpoints) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + path.getParent() + ": " + e.getMessage(), e);
        }
        File file = path.toFile();
        IoUtil.deleteIfExists(file);
        MappedByteBuffer mapped = IoUtil.mapNewFile(file, fileLength(), true);
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
        return f;
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

    /** Where an engine of this user writes its counters by default: $XDG_RUNTIME_DIR/framebridge or /tmp/framebridge-$USER. */
    public static Path defaultPath() {
        return runtimeDirectory().resolve("counters.dat");
    }

    /**
     * Where {@code serve} keeps its default Unix socket and counters: {@code $XDG_RUNTIME_DIR/framebridge}, else
     * {@code /dev/shm/framebridge-$USER}, else the temporary directory. Both are memory (tmpfs): the counters are a
     * mapped file the I/O thread writes every frame, and on a disk filesystem its dirty pages are written back and
     * write-protected every few seconds, so the next counter update takes a page fault (or waits for the write).
     */
    public static Path runtimeDirectory() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, "framebridge");
        }
        String name = "framebridge-" + System.getProperty("user.name");
        Path shm = Path.of("/dev/shm");
        if (java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)) {
            return shm.resolve(name);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), name);
    }
}

package dev.framebridge.frame;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.MemfdPool;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.transport.NativeSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the host accepts as a pool and what it refuses, with the message a client acts on. */
class BufferMapperTest {
    private final BufferMapper mapper = new BufferMapper();
    private final Errno errno = new Errno();

    /** A copy of the fd, as the host receives one with SCM_RIGHTS (the mapper takes ownership of what it is given). */
    private static int dup(int fd) throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try (Arena a = Arena.ofConfined()) {
            var one = a.allocate(1);
            pair[0].sendWithFds(one, 0, 1, new int[] {fd}, 1);
            int[] fds = new int[1];
            pair[1].readWithFds(one, 0, 1, fds);
            return fds[0];
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    private int rawMemfd(int flags, long size) {
        try (Arena a = Arena.ofConfined()) {
            int fd = LibC.memfd_create(errno, a.allocateFrom("test"), flags);
            LibC.ftruncate(errno, fd, size);
            return fd;
        }
    }

    @Test
    void mapsASealedMemfdReadOnlyAndSeesTheClientsWrites() throws Exception {
        try (MemfdPool pool = MemfdPool.create("frames", 1 << 20);
             MappedBuffer mapped = mapper.mapFd(dup(pool.fd()), 0)) {
            assertEquals(MappedBuffer.Kind.MEMFD, mapped.kind());
            assertEquals(1 << 20, mapped.size());
            assertEquals(-1, mapped.dmaBufFd(), "a memfd's fd is closed once mapped");
            pool.segment().set(JAVA_INT, 12345 * 4, 0xCAFE);
            assertEquals(0xCAFE, mapped.segment().get(JAVA_INT, 12345 * 4));
            assertTrue(mapped.segment().isReadOnly());
        }
    }

    @Test
    void mapsOnlyTheSizeAskedForAndRefusesMore() throws Exception {
        try (MemfdPool pool = MemfdPool.create("frames", 8192);
             MappedBuffer mapped = mapper.mapFd(dup(pool.fd()), 4096)) {
            assertEquals(4096, mapped.size());
            BufferRefusedException e = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(dup(pool.fd()), 8193));
            assertEquals(BufferRefusedException.Reason.SIZE, e.reason());
            assertEquals("size 8193 exceeds the buffer's 8192 bytes", e.getMessage());
        }
    }

    @Test
    void refusesAnUnsealedMemfdSayingHowToSealIt() {
        int fd = rawMemfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING, 4096);
        BufferRefusedException e = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(fd, 0));
        assertEquals(BufferRefusedException.Reason.UNSEALED, e.reason());
        assertEquals("the memfd is not sealed against shrinking (a file that shrinks under the host's mapping would"
                + " crash it with SIGBUS): after ftruncate, call fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)"
                + " before sending it", e.getMessage());
        assertEquals(-1, LibC.fcntl(errno, fd, LibC.F_GETFL), "the refused fd was closed");
        assertEquals(LibC.EBADF, errno.get());
    }

    @Test
    void refusesAMemfdThatCannotBeSealed() {
        int fd = rawMemfd(LibC.MFD_CLOEXEC, 4096);
        BufferRefusedException e = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(fd, 0));
        assertEquals(BufferRefusedException.Reason.UNSEALED, e.reason());
        assertTrue(e.getMessage().startsWith("the memfd cannot be sealed (created without MFD_ALLOW_SEALING)"), e.getMessage());
    }

    @Test
    void refusesAnEmptySealedMemfd() {
        int fd = rawMemfd(LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING, 0);
        LibC.fcntl(errno, fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK);
        BufferRefusedException e = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(fd, 0));
        assertEquals(BufferRefusedException.Reason.SIZE, e.reason());
    }

    @Test
    void refusesASocketARegularFileAndAnEventfdAsNotMappable() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        pair[1].close();
        BufferRefusedException socket = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(pair[0].fd(), 0));
        assertEquals(BufferRefusedException.Reason.NOT_MAPPABLE, socket.reason());
        assertTrue(socket.getMessage().startsWith("the fd passed is a socket, neither a memfd nor a DMA-BUF: create the"
                + " pool with memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)"), socket.getMessage());

        Path file = Files.createTempFile("framebridge", ".raw");
        try (Arena a = Arena.ofConfined()) {
            Files.write(file, new byte[4096]);
            int fd = LibC.open(errno, a.allocateFrom(file.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            BufferRefusedException regular = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(fd, 0));
            assertTrue(regular.getMessage().startsWith("the fd passed is a regular file, neither"), regular.getMessage());
        } finally {
            Files.delete(file);
        }

        try (dev.framebridge.transport.EventFd eventFd = new dev.framebridge.transport.EventFd()) {
            int fd = dup(eventFd.fd());
            BufferRefusedException anon = assertThrows(BufferRefusedException.class, () -> mapper.mapFd(fd, 0));
            assertEquals(BufferRefusedException.Reason.NOT_MAPPABLE, anon.reason());
        }
    }

    @Test
    void mapsAHostRegionFileAndRefusesOneTooSmall() throws Exception {
        Path file = Files.createTempFile("framebridge-region", ".shm");
        try {
            byte[] bytes = new byte[65536];
            bytes[65535] = 9;
            Files.write(file, bytes);
            try (MappedBuffer region = BufferMapper.mapFile(file, 0)) {
                assertEquals(MappedBuffer.Kind.REGION, region.kind());
                assertEquals(65536, region.size());
                assertEquals(9, region.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 65535));
            }
            IOException small = assertThrows(IOException.class, () -> BufferMapper.mapFile(file, 65537));
            assertEquals("region " + file + " is 65536 bytes, smaller than the 65537 bytes asked for", small.getMessage());
            IOException missing = assertThrows(IOException.class, () -> BufferMapper.mapFile(Path.of(file + ".gone"), 0));
            assertTrue(missing.getMessage().contains("No such file or directory"), missing.getMessage());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void parsesRegionSpecs() {
        assertEquals(new HostRegion("guest0", Path.of("/dev/shm/guest0"), 64L << 20),
                HostRegion.parse("guest0=/dev/shm/guest0:64M"));
        assertEquals(new HostRegion("a.b-c_d", Path.of("/x:y/z"), 0), HostRegion.parse("a.b-c_d=/x:y/z"));
        assertEquals(4096, HostRegion.parse("r=/f:4096").size());
        assertEquals(1L << 30, HostRegion.parse("r=/f:1g").size());
        assertThrows(IllegalArgumentException.class, () -> HostRegion.parse("no-equals"));
        assertThrows(IllegalArgumentException.class, () -> HostRegion.parse("=/path"));
        assertThrows(IllegalArgumentException.class, () -> HostRegion.parse("has space=/path"));
        assertThrows(IllegalArgumentException.class, () -> HostRegion.parse("x".repeat(32) + "=/path"));
    }
}

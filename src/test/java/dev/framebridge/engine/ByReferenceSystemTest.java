package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HostErrorException;
import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.MemfdPool;
import dev.framebridge.client.PeerClosedException;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.HostRegion;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.PoolResponseFlyweight;
import dev.framebridge.protocol.RegisterPoolFlyweight;
import dev.framebridge.transport.EventFd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames by reference through a real engine: HELLO, pools over SCM_RIGHTS and host regions, FRAME_REFs encoded in
 * place — and every bad input answered with an ERROR naming the cause, the connection and the engine going on, no
 * mapping left behind.
 */
@Timeout(120)
class ByReferenceSystemTest {
    private static final int W = 160;
    private static final int H = 90;
    private static final int STRIDE = W * 4 + 64;
    private static final long FRAME = (long) STRIDE * H;
    private static final int ALL_CAPS = Hxfr.CAP_POOL_FD | Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF;

    @TempDir
    Path dir;
    EngineHarness harness;
    Path regionFile;
    final List<AutoCloseable> toClose = new ArrayList<>();
    final Errno errno = new Errno();

    @BeforeEach
    void start() throws Exception {
        regionFile = dir.resolve("guest0.shm");
        Files.write(regionFile, new byte[(int) (4 * FRAME)]);
        harness = new EngineHarness(dir, c -> c.maxPools(3).stallTimeoutMs(500)
                .region(new HostRegion("guest0", regionFile, 0)));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        harness.close();
    }

    private HxfrClient client(boolean unix) throws Exception {
        HxfrClient c = harness.connect(unix ? harness.unix : harness.tcp);
        toClose.add(c);
        return c;
    }

    private MemfdPool pool(long size) throws Exception {
        MemfdPool p = MemfdPool.create("test-pool", size);
        toClose.add(p);
        return p;
    }

    /** A BGRA frame that moves with {@code n}, at {@code offset} in {@code pixels}. */
    private static void draw(MemorySegment pixels, long offset, int n) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                long at = offset + (long) y * STRIDE + 4L * x;
                pixels.set(ValueLayout.JAVA_INT_UNALIGNED, at, 0xFF000000 | ((x + 3 * n) & 0xFF) << 16 | (y & 0xFF) << 8 | 0x40);
            }
        }
    }

    private static void sendBgra(HxfrClient c, int poolId, long offset, long pts) throws Exception {
        c.sendFrameRef(poolId, offset, PixelFormat.BGRA8888, W, H, new long[] {0}, new int[] {STRIDE}, pts, pts == 0);
    }

    private static Answer frame(HxfrClient c) throws Exception {
        Answer a = c.readAnswer();
        assertTrue(a.isFrame(), "expected a FRAME_RESPONSE, got " + a);
        return a;
    }

    private static void assertError(Answer a, int code, String messageStart) {
        assertTrue(a.isError(), "expected ERROR, got " + a);
        assertEquals(ErrorCode.name(code), ErrorCode.name(a.errorCode()), a.errorMessage());
        assertTrue(a.errorMessage().startsWith(messageStart), "message: " + a.errorMessage());
    }

    /** The connection still answers: a PING gets its PONG. */
    private static void assertStillServed(HxfrClient c) throws Exception {
        c.sendHeaderOnly(Hxfr.MSG_PING);
        assertEquals(Hxfr.MSG_PONG, c.readAnswer().type());
    }

    private void awaitPoolsMapped(long expected) throws InterruptedException {
        harness.awaitCounter(CounterId.POOLS_MAPPED, expected);
    }

    // ---- the handshake --------------------------------------------------------------------------------

    @Test
    void helloGrantsFdPoolsOnUnixSocketsOnlyAndReportsTheLimits() throws Exception {
        HxfrClient.Hello unix = client(true).hello(ALL_CAPS);
        assertEquals(Hxfr.EXT_VERSION, unix.version());
        assertEquals(ALL_CAPS, unix.capabilities());
        assertEquals(3, unix.maxPools());
        assertEquals(EngineConfig.DEFAULT_MAX_IN_FLIGHT, unix.maxInFlight());
        assertEquals(Hxfr.MAX_PAYLOAD, unix.maxPayload());
        assertEquals("x264", unix.encoder());
        assertEquals(List.of(PixelFormat.BGRA8888.fourcc(), PixelFormat.RGBA8888.fourcc(), PixelFormat.NV12.fourcc(),
                PixelFormat.I420.fourcc()), java.util.Arrays.stream(unix.formats()).boxed().toList());

        HxfrClient.Hello tcp = client(false).hello(ALL_CAPS);
        assertEquals(Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF, tcp.capabilities(), "no fds over TCP");
        assertEquals(0, client(false).hello(Hxfr.CAP_FRAME_REF).capabilities(), "FRAME_REF needs a pool capability");
        assertEquals(3, harness.counter(CounterId.HELLOS));
    }

    @Test
    void anUnknownHelloVersionIsAnsweredWithAnErrorAndTheConnectionStaysPlain() throws Exception {
        HxfrClient c = client(true);
        c.sendHello(2, ALL_CAPS);
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "HELLO version 2 unsupported: this host speaks extension version 1");
        assertStillServed(c);
        // still no extensions: a REGISTER_POOL is skipped unanswered, exactly as before HELLO existed
        c.sendRegisterRegion("guest0", 0);
        assertStillServed(c);
    }

    @Test
    void withoutHelloExtensionMessagesAreSkippedUnansweredAsUnknownTypesAlwaysWere() throws Exception {
        HxfrClient c = client(true);
        MemfdPool p = pool(FRAME);
        long skipped = harness.counter(CounterId.MESSAGES_SKIPPED);
        c.sendRegisterPool(p.fd(), 0);
        sendBgra(c, 1, 0, 0);
        c.sendUnregisterPool(1);
        assertStillServed(c); // the PONG is the very next answer: nothing was sent for the three
        assertEquals(skipped + 3, harness.counter(CounterId.MESSAGES_SKIPPED));
        assertEquals(0, harness.counter(CounterId.POOLS_MAPPED));
    }

    // ---- frames by reference --------------------------------------------------------------------------

    @Test
    void framesByReferenceFromASealedMemfdAreEncodedAndThePoolIsUnmappedWhenReleased() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        MemfdPool p = pool(2 * FRAME);
        int id = c.registerPool(p);
        assertTrue(id != 0);
        assertEquals(1, harness.counter(CounterId.POOLS_MAPPED));
        for (int i = 0; i < 8; i++) {
            long offset = (i % 2) * FRAME;
            draw(p.segment(), offset, i);
            sendBgra(c, id, offset, i * 33_333_333L);
            Answer a = frame(c);
            assertEquals(i * 33_333_333L, a.pts());
            byte[] au = a.accessUnit().toArray(ValueLayout.JAVA_BYTE);
            assertTrue(AnnexB.startsWithStartCode(au));
            if (i == 0) {
                assertTrue(a.keyframe());
                assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(au)));
            }
        }
        assertEquals(8, harness.counter(CounterId.FRAMES_BY_REFERENCE));
        assertEquals(8L * W * H * 4, harness.counter(CounterId.BYTES_BY_REFERENCE));
        assertEquals(0, harness.counter(CounterId.FRAMES_IN_BAND));
        c.unregisterPool(id);
        awaitPoolsMapped(0);
        c.sendFrameRef(id, 0, PixelFormat.BGRA8888, W, H, new long[] {0}, new int[] {STRIDE}, 0, false);
        assertError(c.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND, "FRAME_REF pool_id " + id + " is not registered on this connection");
    }

    @Test
    void framesAfterAnUnregisterInTheSamePipelineAreRefusedButEarlierOnesEncoded() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        MemfdPool p = pool(FRAME);
        int id = c.registerPool(p);
        draw(p.segment(), 0, 1);
        sendBgra(c, id, 0, 0);
        c.sendUnregisterPool(id);
        sendBgra(c, id, 0, 1);
        frame(c);
        Answer released = c.readAnswer();
        assertEquals(Hxfr.MSG_POOL_RESP, released.type());
        PoolResponseFlyweight r = new PoolResponseFlyweight().wrap(c.lastAnswerBytes(), 0);
        assertEquals(id, r.poolId());
        assertEquals(Hxfr.POOL_KIND_RELEASED, r.kind());
        assertEquals(0, r.size());
        assertError(c.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND, "FRAME_REF pool_id " + id);
        awaitPoolsMapped(0);
    }

    @Test
    void aHostRegionIsUsableOverTcpAndSeesTheWritesOfWhoeverSharesTheFile() throws Exception {
        HxfrClient c = client(false);
        assertTrue(c.hello(ALL_CAPS).grants(Hxfr.CAP_POOL_REGION));
        int id = c.registerRegion("guest0", 0);
        // the "guest" writes frames into the shared file, as a VM does into its ivshmem BAR
        try (Arena a = Arena.ofConfined();
             java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(regionFile,
                     java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            MemorySegment shared = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 4 * FRAME, a);
            for (int i = 0; i < 4; i++) {
                draw(shared, i * FRAME, i);
                sendBgra(c, id, i * FRAME, i);
                frame(c);
            }
        }
        assertEquals(4, harness.counter(CounterId.FRAMES_BY_REFERENCE));
        c.sendRegisterRegion("guest0", 0);
        assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL refused: region 'guest0' is already pool " + id);
        c.sendRegisterRegion("guest9", 0);
        assertError(c.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND,
                "REGISTER_POOL refused: no host region named 'guest9'; this host has guest0");
        c.unregisterPool(id);
        c.sendRegisterRegion("guest0", 4 * FRAME + 1);
        assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL refused: size " + (4 * FRAME + 1)
                + " exceeds region 'guest0' (" + 4 * FRAME + " bytes)");
        // a region pool may be smaller than the region: frames are checked against the size registered
        int small = c.registerRegion("guest0", FRAME);
        sendBgra(c, small, 65, 0);
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "FRAME_REF plane_offset[0] 0 with stride[0] " + STRIDE);
        assertStillServed(c);
    }

    // ---- refusals ---------------------------------------------------------------------------------

    @Test
    void anUnsealedMemfdIsRefusedWithHowToSealIt() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = LibC.memfd_create(errno, a.allocateFrom("unsealed"), LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        }
        LibC.ftruncate(errno, fd, FRAME);
        try {
            c.sendRegisterPool(fd, 0);
            assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL refused: the memfd is not sealed against"
                    + " shrinking (a file that shrinks under the host's mapping would crash it with SIGBUS): after"
                    + " ftruncate, call fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) before sending it");
        } finally {
            LibC.close(errno, fd);
        }
        assertEquals(1, harness.counter(CounterId.POOL_REFUSED_UNSEALED));
        harness.awaitCounter(CounterId.ERR_POOL_REFUSED, 1); // counted once the ERROR is written, just after the client reads it
        assertStillServed(c);
        assertEquals(0, harness.counter(CounterId.POOLS_MAPPED));
    }

    @Test
    void anFdThatCannotBeMappedIsRefused() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        try (EventFd eventFd = new EventFd()) {
            c.sendRegisterPool(eventFd.fd(), 0);
            assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL refused: the fd passed is");
        }
        c.sendRegisterPool(c.socket().fd(), 0); // a socket
        assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL refused: the fd passed is a socket, neither"
                + " a memfd nor a DMA-BUF");
        assertEquals(2, harness.counter(CounterId.POOL_REFUSED_NOT_MAPPABLE));
        assertStillServed(c);
    }

    @Test
    void aRegisterPoolWithoutAnFdIsRefused() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = a.allocate(RegisterPoolFlyweight.LENGTH);
            new RegisterPoolFlyweight().wrap(msg, 0).header(0, 1).source(Hxfr.POOL_SOURCE_FD).size(0).region("");
            c.sendRaw(msg, RegisterPoolFlyweight.LENGTH); // plain bytes, no SCM_RIGHTS
        }
        assertError(c.readAnswer(), ErrorCode.POOL_REFUSED, "REGISTER_POOL with source=fd carried no file descriptor");
        assertStillServed(c);
    }

    @Test
    void fdPoolsAreNotGrantedOverTcp() throws Exception {
        HxfrClient c = client(false);
        c.hello(ALL_CAPS);
        MemfdPool p = pool(FRAME);
        c.sendRegisterPool(p.fd(), 0); // Linux sends the bytes and drops SCM_RIGHTS on TCP
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "REGISTER_POOL source=fd was not granted on this connection");
        HxfrClient d = client(false);
        d.hello(ALL_CAPS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = a.allocate(RegisterPoolFlyweight.LENGTH);
            new RegisterPoolFlyweight().wrap(msg, 0).header(0, 1).source(Hxfr.POOL_SOURCE_FD).size(0).region("");
            d.sendRaw(msg, RegisterPoolFlyweight.LENGTH);
        }
        assertError(d.readAnswer(), ErrorCode.INVALID_MSG, "REGISTER_POOL source=fd was not granted on this connection");
    }

    @Test
    void theSameBufferRegisteredTwiceIsRefusedAndTooManyPoolsHitTheLimit() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        MemfdPool a = pool(FRAME);
        int first = c.registerPool(a);
        HostErrorException twice = assertThrows(HostErrorException.class, () -> c.registerPool(a));
        assertEquals(ErrorCode.POOL_REFUSED, twice.errorCode());
        assertEquals("REGISTER_POOL refused: this buffer is already pool " + first + " on this connection: use that id",
                twice.hostMessage());
        c.registerPool(pool(FRAME));
        c.registerPool(pool(FRAME));
        HostErrorException limit = assertThrows(HostErrorException.class, () -> c.registerPool(pool(FRAME)));
        assertEquals(ErrorCode.LIMIT, limit.errorCode());
        assertTrue(limit.hostMessage().startsWith("REGISTER_POOL refused: 3 pools are registered on this connection, the"
                + " most it may have"), limit.hostMessage());
        assertEquals(1, harness.counter(CounterId.POOL_REFUSED_DUPLICATE));
        assertEquals(1, harness.counter(CounterId.POOL_REFUSED_LIMIT));
        assertEquals(3, harness.counter(CounterId.POOLS_MAPPED));
        c.unregisterPool(first);
        c.registerPool(pool(FRAME)); // room again
        assertStillServed(c);
    }

    @Test
    void offsetsAndStridesOutOfBoundsAreRefusedNamingTheField() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        MemfdPool p = pool(FRAME);
        int id = c.registerPool(p);
        sendBgra(c, id, 65, 0); // the last row's padding is not needed, so 64 bytes of slack fit, 65 do not
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "FRAME_REF plane_offset[0] 0 with stride[0] " + STRIDE
                + ": plane 0 ends at byte " + (FRAME + 1) + ", beyond pool " + id + " (" + FRAME + " bytes)");
        c.sendFrameRef(id, 0, PixelFormat.BGRA8888, W, H, new long[] {0}, new int[] {W * 4 - 1}, 0, false);
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "FRAME_REF stride[0] " + (W * 4 - 1) + " < " + W * 4);
        c.sendFrameRef(id, FRAME, PixelFormat.BGRA8888, W, H, new long[] {0}, new int[] {STRIDE}, 0, false);
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "FRAME_REF offset " + FRAME + " is outside pool " + id);
        c.sendFrameRef(id, 0, PixelFormat.NV12, W, H, new long[] {0, (long) W * H}, new int[] {W, W}, 0, false);
        frame(c); // NV12 fits (W*H*3/2 < FRAME)
        c.sendFrameRef(id, 0, PixelFormat.NV12, W, H, new long[] {0, FRAME - (long) W * (H / 2) + 1}, new int[] {W, W}, 0, false);
        assertError(c.readAnswer(), ErrorCode.INVALID_MSG, "FRAME_REF plane_offset[1]");
        assertEquals(4, harness.counter(CounterId.FRAME_REF_REFUSED_BOUNDS));
        draw(p.segment(), 0, 0);
        sendBgra(c, id, 0, 5);
        assertEquals(5, frame(c).pts(), "the pool still works after refusals");
    }

    @Test
    void aPoolIdOfAnotherConnectionOrNoneAtAllIsRefused() throws Exception {
        HxfrClient owner = client(true);
        owner.hello(ALL_CAPS);
        int id = owner.registerPool(pool(FRAME));
        HxfrClient other = client(true);
        other.hello(ALL_CAPS);
        sendBgra(other, id, 0, 0);
        assertError(other.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND, "FRAME_REF pool_id " + id + " belongs to another"
                + " connection: pools are per connection; register the buffer on this one");
        other.sendUnregisterPool(id);
        assertError(other.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND, "UNREGISTER_POOL pool_id " + id + " belongs to another connection");
        sendBgra(other, 987_654, 0, 0);
        assertError(other.readAnswer(), ErrorCode.RESOURCE_NOT_FOUND, "FRAME_REF pool_id 987654 is not registered on this"
                + " connection: REGISTER_POOL answers with the id to use");
        sendBgra(owner, id, 0, 0);
        frame(owner); // the owner's pool was not touched
        assertEquals(3, harness.counter(CounterId.FRAME_REF_REFUSED_POOL));
    }

    @Test
    void aClientClosingMidFrameOrWithFramesInFlightLeavesNoMappingAndHarmsNoOne() throws Exception {
        HxfrClient bystander = client(true);
        bystander.hello(ALL_CAPS);
        int mine = bystander.registerPool(pool(FRAME));

        // closes with two frames in flight, never reading the answers
        HxfrClient a = harness.connect(harness.unix);
        a.hello(ALL_CAPS);
        MemfdPool pa = pool(2 * FRAME);
        int ida = a.registerPool(pa);
        sendBgra(a, ida, 0, 0);
        sendBgra(a, ida, FRAME, 1);
        a.close();

        // closes half-way through a FRAME_REF
        HxfrClient b = harness.connect(harness.unix);
        b.hello(ALL_CAPS);
        int idb = b.registerPool(pool(FRAME));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment half = arena.allocate(FrameRefFlyweight.LENGTH);
            new FrameRefFlyweight().wrap(half, 0).header(0, 1).poolId(idb).format(PixelFormat.BGRA8888.fourcc())
                    .width(W).height(H).refFlags(0).frameOffset(0).clearPlanes().plane(0, 0, STRIDE).pts(0).duration(0);
            b.sendRaw(half, 40);
        }
        b.close();

        awaitPoolsMapped(1); // only the bystander's pool is left
        sendBgra(bystander, mine, 0, 9);
        assertEquals(9, frame(bystander).pts());
        HxfrClient fresh = client(true);
        fresh.hello(ALL_CAPS);
        int id = fresh.registerPool(pool(FRAME));
        sendBgra(fresh, id, 0, 0);
        frame(fresh);
    }

    @Test
    void framesByReferenceInFlightAreAnsweredWhenTheClientHalfClosesInTheMiddleOfTheNext() throws Exception {
        HxfrClient c = harness.connect(harness.unix); // closed here, to see the pool unmapped
        c.hello(ALL_CAPS);
        MemfdPool p = pool(2 * FRAME);
        int id = c.registerPool(p);
        draw(p.segment(), 0, 0);
        draw(p.segment(), FRAME, 1);
        sendBgra(c, id, 0, 0);
        sendBgra(c, id, FRAME, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment half = arena.allocate(FrameRefFlyweight.LENGTH);
            new FrameRefFlyweight().wrap(half, 0).header(0, 1).poolId(id).format(PixelFormat.BGRA8888.fourcc())
                    .width(W).height(H).refFlags(0).frameOffset(0).clearPlanes().plane(0, 0, STRIDE).pts(2).duration(0);
            c.sendRaw(half, 40); // a third FRAME_REF cut short, then the sending side shut: it is dropped
        }
        c.socket().shutdownOutput();
        assertEquals(0, frame(c).pts());
        assertEquals(1, frame(c).pts());
        assertThrows(PeerClosedException.class, c::readAnswer, "then the host closes, saying nothing of the part");
        c.close();
        awaitPoolsMapped(0);
        harness.awaitCounter(CounterId.IN_FLIGHT, 0);
        assertEquals(2, harness.counter(CounterId.FRAMES_BY_REFERENCE));
    }

    @Test
    void closingTheEngineUnmapsEveryPool() throws Exception {
        HxfrClient c = client(true);
        c.hello(ALL_CAPS);
        c.registerPool(pool(FRAME));
        c.registerRegion("guest0", 0);
        assertEquals(2, harness.counter(CounterId.POOLS_MAPPED));
        long before = mappings();
        harness.engine.close();
        assertTrue(mappings() < before, "the engine's close unmapped its pools and region");
        assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(regionFile.toString()),
                "the region is unmapped");
    }

    private static long mappings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("/memfd:test-pool") || l.contains("guest0.shm")).count();
    }
}

package dev.framebridge.engine;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.BufferMapper;
import dev.framebridge.frame.BufferRefusedException;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.HostRegion;
import dev.framebridge.frame.MappedBuffer;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.FrameRefFlyweight;
import dev.framebridge.protocol.HelloFlyweight;
import dev.framebridge.protocol.HelloResponseFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.PoolResponseFlyweight;
import dev.framebridge.protocol.RegisterPoolFlyweight;
import dev.framebridge.protocol.Rejection;
import dev.framebridge.protocol.UnregisterPoolFlyweight;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The I/O agent's side of the extensions (docs/PROTOCOL-EXTENSIONS.md): answers HELLO, registers and releases
 * pools, and checks each FRAME_REF against its pool before the encode agent may read it. Each handler leaves the
 * slot either answered (HELLO_RESP, POOL_RESP), ready to encode (a FRAME_REF, its pool's address in the slot), or
 * refused (the refusal in the decoder's {@link dev.framebridge.protocol.Rejection}, for the reader to answer ERROR).
 *
 * <p>Mapping and unmapping happen here, off the encode path: pools are mapped at REGISTER_POOL, and unmapped only
 * when nothing can read them any more — when the answer to UNREGISTER_POOL is written (every earlier request is
 * answered by then), or when the encode agent has let go of a closed connection. Host regions are mapped at start
 * and unmapped when the engine stops. I/O agent thread only; the hot path (FRAME_REF) allocates nothing.
 */
final class ByReference {
    /** The slot holds its answer (HELLO_RESP, POOL_RESP): submit it as answered. */
    static final int ANSWERED = 0;
    /** The slot holds a checked FRAME_REF: submit it to be encoded. */
    static final int FRAME = 1;
    /** Refused: the decoder's rejection says why; answer ERROR. */
    static final int REFUSED = 2;

    private static final int[] FORMATS = {
        PixelFormat.BGRA8888.fourcc(), PixelFormat.RGBA8888.fourcc(), PixelFormat.NV12.fourcc(), PixelFormat.I420.fourcc()
    };

    private final HxfrDecoder decoder;
    private final EngineCounters counters;
    private final EngineLog log;
    private final EngineConfig config;
    private final String encoderName;
    private final BufferMapper mapper = new BufferMapper();
    private final Errno errno = new Errno();
    private final String[] regionNames;
    private final MappedBuffer[] regions;
    private IoConnection[] connections = new IoConnection[0];
    /** Pool ids, shared by the copies of every I/O agent so that an id names one pool engine-wide. */
    private final AtomicInteger ids;
    /** Whether this copy mapped the regions (and so unmaps them); the other I/O agents' copies only share them. */
    private final boolean ownsRegions;

    private final HelloFlyweight hello = new HelloFlyweight();
    private final HelloResponseFlyweight helloResponse = new HelloResponseFlyweight();
    private final RegisterPoolFlyweight registerPool = new RegisterPoolFlyweight();
    private final UnregisterPoolFlyweight unregisterPool = new UnregisterPoolFlyweight();
    private final PoolResponseFlyweight poolResponse = new PoolResponseFlyweight();
    private final FrameRefFlyweight frameRef = new FrameRefFlyweight();

    private final AtomicCounter refusedUnsealed;
    private final AtomicCounter refusedNotMappable;
    private final AtomicCounter refusedSize;
    private final AtomicCounter refusedDuplicate;
    private final AtomicCounter refusedLimit;
    private final AtomicCounter refusedOther;
    private final AtomicCounter refRefusedPool;
    private final AtomicCounter refRefusedBounds;

    private ByReference(EngineConfig config, String encoderName, String[] regionNames,
                        MappedBuffer[] regions, EngineCounters counters, EngineLog log) {
        this(config, encoderName, regionNames, regions, counters, log, new AtomicInteger(1), true);
    }

    private ByReference(EngineConfig config, String encoderName, String[] regionNames, MappedBuffer[] regions,
                        EngineCounters counters, EngineLog log, AtomicInteger ids, boolean ownsRegions) {
        this.ids = ids;
        this.ownsRegions = ownsRegions;
        this.decoder = new HxfrDecoder(config.limits());
        this.config = config;
        this.encoderName = encoderName;
        this.regionNames = regionNames;
        this.regions = regions;
        this.counters = counters;
        this.log = log;
        refusedUnsealed = counters.get(CounterId.POOL_REFUSED_UNSEALED);
        refusedNotMappable = counters.get(CounterId.POOL_REFUSED_NOT_MAPPABLE);
        refusedSize = counters.get(CounterId.POOL_REFUSED_SIZE);
        refusedDuplicate = counters.get(CounterId.POOL_REFUSED_DUPLICATE);
        refusedLimit = counters.get(CounterId.POOL_REFUSED_LIMIT);
        refusedOther = counters.get(CounterId.POOL_REFUSED_OTHER);
        refRefusedPool = counters.get(CounterId.FRAME_REF_REFUSED_POOL);
        refRefusedBounds = counters.get(CounterId.FRAME_REF_REFUSED_BOUNDS);
    }

    /** Maps the configured host regions (all or none: a region that cannot be mapped fails the start, naming it). */
    static ByReference start(EngineConfig config, String encoderName, EngineCounters counters,
                             EngineLog log) throws IOException {
        List<HostRegion> configured = config.regions();
        String[] names = new String[configured.size()];
        MappedBuffer[] mapped = new MappedBuffer[configured.size()];
        try {
            for (int i = 0; i < names.length; i++) {
                HostRegion r = configured.get(i);
                try {
                    mapped[i] = BufferMapper.mapFile(r.path(), r.size());
                } catch (IOException e) {
                    throw new IOException("--region " + r + ": " + e.getMessage(), e);
                }
                names[i] = r.name();
                log.info("region " + r.name() + ": " + r.path() + " mapped read-only, " + mapped[i].size() + " bytes");
            }
        } catch (IOException | RuntimeException e) {
            for (MappedBuffer m : mapped) {
                if (m != null) {
                    m.close();
                }
            }
            throw e;
        }
        return new ByReference(config, encoderName, names, mapped, counters, log);
    }

    /**
     * A copy for another I/O agent (each agent's thread has its own decoder and flyweights): the same regions, mapped
     * once, and the same pool id sequence; only this original unmaps the regions.
     */
    ByReference forAnotherIoAgent() {
        return new ByReference(config, encoderName, regionNames, regions, counters, log, ids, false);
    }

    /** Why the last handler returned {@link #REFUSED}. */
    Rejection rejection() {
        return decoder.rejection();
    }

    /** The I/O agent's connections, for telling "another connection's pool" from "no such pool". */
    void connections(IoConnection[] all) {
        this.connections = all;
    }

    // ---- HELLO ------------------------------------------------------------------------------------------

    int hello(IoConnection c, FrameSlot slot) {
        HelloFlyweight h = hello.wrap(slot.request(), 0);
        if (decoder.checkHello(h) != HxfrDecoder.ACCEPT) {
            return REFUSED;
        }
        int possible = Hxfr.CAP_FRAME_REF | (c.pools.fdCapable ? Hxfr.CAP_POOL_FD : 0)
                | (regions.length > 0 ? Hxfr.CAP_POOL_REGION : 0);
        int granted = h.capabilities() & possible;
        if ((granted & (Hxfr.CAP_POOL_FD | Hxfr.CAP_POOL_REGION)) == 0) {
            granted &= ~Hxfr.CAP_FRAME_REF; // a frame by reference needs a pool to refer to
        }
        c.pools.hello = true;
        c.pools.granted = granted;
        slot.resetAnswer();
        helloResponse.wrap(slot.answer(), 0).header(0, h.sessionId()).version(Hxfr.EXT_VERSION).capabilities(granted)
                .maxPayload(config.maxPayload()).maxInFlight(config.maxInFlight()).maxDimension(config.maxDimension())
                .maxPools(config.maxPools()).formats(FORMATS).encoder(encoderName);
        slot.answerLength = HelloResponseFlyweight.LENGTH;
        counters.hellos.increment();
        log.info("session " + c.session.index + " (" + c.peer + ") said HELLO: capabilities 0x"
                + Integer.toHexString(h.capabilities()) + " asked, 0x" + Integer.toHexString(granted) + " granted");
        return ANSWERED;
    }

    // ---- fds that arrive with messages --------------------------------------------------------------

    /** Fds arrived with the message being read: the first is kept for its REGISTER_POOL, the rest closed. */
    void onFds(IoConnection c, int[] fds, int n) {
        dropStrayFd(c);
        c.pools.pendingFd = fds[0];
        for (int i = 1; i < n; i++) {
            LibC.close(errno, fds[i]);
        }
    }

    /** A message other than REGISTER_POOL (or a refused one) carried an fd: close it. */
    void dropStrayFd(IoConnection c) {
        if (c.pools.pendingFd >= 0) {
            LibC.close(errno, c.pools.pendingFd);
            c.pools.pendingFd = -1;
        }
    }

    // ---- REGISTER_POOL / UNREGISTER_POOL --------------------------------------------------------------

    int registerPool(IoConnection c, FrameSlot slot) {
        RegisterPoolFlyweight r = registerPool.wrap(slot.request(), 0);
        ConnectionPools pools = c.pools;
        int fd = pools.pendingFd;
        pools.pendingFd = -1;
        try {
            if (decoder.checkRegisterPool(r, pools.granted) != HxfrDecoder.ACCEPT) {
                refusedOther.increment();
                return REFUSED;
            }
            if (pools.isFull()) {
                refusedLimit.increment();
                decoder.refuse(ErrorCode.LIMIT).append("REGISTER_POOL refused: ").append(pools.count)
                        .append(" pools are registered on this connection, the most it may have (HELLO_RESP")
                        .append(" max_pools, serve --max-pools): UNREGISTER_POOL one first");
                return REFUSED;
            }
            MappedBuffer buffer;
            long size;
            String region = null;
            int kind;
            if (r.source() == Hxfr.POOL_SOURCE_FD) {
                if (fd < 0) {
                    refusedNotMappable.increment();
                    decoder.refuse(ErrorCode.POOL_REFUSED).append("REGISTER_POOL with source=fd carried no file")
                            .append(" descriptor: attach the memfd or DMA-BUF as SCM_RIGHTS ancillary data to the")
                            .append(" message's bytes (one sendmsg), over a Unix socket");
                    return REFUSED;
                }
                int owned = fd;
                fd = -1; // the mapper owns it now (closes it, or keeps a DMA-BUF's)
                try {
                    buffer = mapper.mapFd(owned, r.size());
                } catch (BufferRefusedException e) {
                    (switch (e.reason()) {
                        case UNSEALED -> refusedUnsealed;
                        case SIZE -> refusedSize;
                        case NOT_MAPPABLE -> refusedNotMappable;
                    }).increment();
                    decoder.refuse(ErrorCode.POOL_REFUSED).append("REGISTER_POOL refused: ").append(e.getMessage());
                    return REFUSED;
                }
                for (int i = 0; i < pools.count; i++) {
                    if (pools.regions[i] == null && pools.buffers[i].sameFileAs(buffer)) {
                        buffer.close();
                        refusedDuplicate.increment();
                        decoder.refuse(ErrorCode.POOL_REFUSED).append("REGISTER_POOL refused: this buffer is already")
                                .append(" pool ").append(pools.ids[i] & 0xFFFF_FFFFL)
                                .append(" on this connection: use that id");
                        return REFUSED;
                    }
                }
                size = buffer.size();
                kind = buffer.kind() == MappedBuffer.Kind.DMABUF ? Hxfr.POOL_KIND_DMABUF : Hxfr.POOL_KIND_MEMFD;
            } else {
                int index = regionIndex(r);
                if (index < 0) {
                    refusedOther.increment();
                    StringBuilder m = decoder.refuse(ErrorCode.RESOURCE_NOT_FOUND).append("REGISTER_POOL refused: no")
                            .append(" host region named '").append(r.region()).append("'; this host has ");
                    appendRegionNames(m);
                    return REFUSED;
                }
                for (int i = 0; i < pools.count; i++) {
                    if (regionNames[index].equals(pools.regions[i])) {
                        refusedDuplicate.increment();
                        decoder.refuse(ErrorCode.POOL_REFUSED).append("REGISTER_POOL refused: region '")
                                .append(regionNames[index]).append("' is already pool ")
                                .append(pools.ids[i] & 0xFFFF_FFFFL).append(" on this connection: use that id");
                        return REFUSED;
                    }
                }
                buffer = regions[index];
                if (r.size() > buffer.size()) {
                    refusedSize.increment();
                    decoder.refuse(ErrorCode.POOL_REFUSED).append("REGISTER_POOL refused: size ").append(r.size())
                            .append(" exceeds region '").append(regionNames[index]).append("' (").append(buffer.size())
                            .append(" bytes)");
                    return REFUSED;
                }
                size = r.size() == 0 ? buffer.size() : r.size();
                region = regionNames[index];
                kind = Hxfr.POOL_KIND_REGION;
            }
            int id = nextId();
            pools.add(id, buffer, size, region);
            slot.resetAnswer();
            poolResponse.wrap(slot.answer(), 0).set(r.sessionId(), id, kind, size);
            slot.answerLength = PoolResponseFlyweight.LENGTH;
            counters.poolsRegistered.increment();
            counters.poolsMapped.increment();
            log.info("session " + c.session.index + " (" + c.peer + ") registered pool " + (id & 0xFFFF_FFFFL) + ": "
                    + (region != null ? "region " + region + ", " + size + " bytes" : buffer));
            return ANSWERED;
        } finally {
            if (fd >= 0) {
                LibC.close(errno, fd);
            }
        }
    }

    private int regionIndex(RegisterPoolFlyweight r) {
        for (int i = 0; i < regionNames.length; i++) {
            if (r.regionEquals(regionNames[i])) {
                return i;
            }
        }
        return -1;
    }

    private void appendRegionNames(StringBuilder m) {
        if (regionNames.length == 0) {
            m.append("none (serve --region NAME=PATH adds one)");
            return;
        }
        for (int i = 0; i < regionNames.length; i++) {
            m.append(i == 0 ? "" : ", ").append(regionNames[i]);
        }
    }

    /** Pool ids are unique for the engine's lifetime (never 0), so a stale or foreign id is recognisably wrong. */
    private int nextId() {
        int id = ids.getAndIncrement();
        while (id == 0) { // 0 is not a pool id: skipped when the sequence wraps
            id = ids.getAndIncrement();
        }
        return id;
    }

    /** UNREGISTER_POOL, the {@code sequence}-th request of the connection. */
    int unregisterPool(IoConnection c, FrameSlot slot, long sequence) {
        UnregisterPoolFlyweight u = unregisterPool.wrap(slot.request(), 0);
        int id = u.poolId();
        int index = livePool(c, id, "UNREGISTER_POOL");
        if (index < 0) {
            return REFUSED;
        }
        c.pools.markReleasing(index, sequence);
        slot.resetAnswer();
        poolResponse.wrap(slot.answer(), 0).set(u.sessionId(), id, Hxfr.POOL_KIND_RELEASED, 0);
        slot.answerLength = PoolResponseFlyweight.LENGTH;
        return ANSWERED;
    }

    /** Index of a pool of {@code c} that may be used; -1 with the refusal written (unknown, foreign or released). */
    private int livePool(IoConnection c, int id, String request) {
        int index = c.pools.indexOf(id);
        if (index >= 0 && !c.pools.isReleasing(index)) {
            return index;
        }
        refRefusedPool.increment();
        StringBuilder m = decoder.refuse(ErrorCode.RESOURCE_NOT_FOUND).append(request).append(" pool_id ")
                .append(id & 0xFFFF_FFFFL);
        if (index >= 0) {
            m.append(" is being released (UNREGISTER_POOL): no request after that may name it");
        } else if (ownedElsewhere(c, id)) {
            m.append(" belongs to another connection: pools are per connection; register the buffer on this one");
        } else {
            m.append(" is not registered on this connection: REGISTER_POOL answers with the id to use");
        }
        return -1;
    }

    private boolean ownedElsewhere(IoConnection c, int id) {
        for (IoConnection other : connections) {
            if (other != c && !other.state.isFree() && other.pools.indexOf(id) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** An answer was written: unmap the pools whose UNREGISTER_POOL has now been answered. */
    void answered(IoConnection c) {
        ConnectionPools pools = c.pools;
        for (int i = pools.count - 1; i >= 0 && pools.releasing > 0; i--) {
            if (pools.isReleasing(i) && pools.releasedBy(i) < c.answered) {
                String region = pools.regions[i];
                MappedBuffer b = pools.remove(i);
                if (region == null) {
                    b.close();
                }
                counters.poolsMapped.getAndAddRelease(-1);
            }
        }
    }

    // ---- FRAME_REF ----------------------------------------------------------------------------------

    /** Checks a FRAME_REF against its pool and leaves the pool's address in the slot; allocation-free unless refused. */
    int frameRef(IoConnection c, FrameSlot slot) {
        FrameRefFlyweight f = frameRef.wrap(slot.request(), 0);
        if ((c.pools.granted & Hxfr.CAP_FRAME_REF) == 0) {
            refRefusedBounds.increment();
            decoder.refuse(ErrorCode.INVALID_MSG).append("FRAME_REF was not granted on this connection: HELLO must")
                    .append(" ask for HXFR_CAP_FRAME_REF (0x4) with a pool capability");
            return REFUSED;
        }
        int index = livePool(c, f.poolId(), "FRAME_REF");
        if (index < 0) {
            return REFUSED;
        }
        if (decoder.checkFrameRef(f, c.pools.sizes[index]) != HxfrDecoder.ACCEPT) {
            refRefusedBounds.increment();
            return REFUSED;
        }
        MappedBuffer pool = c.pools.buffers[index];
        slot.referenceBase = pool.address();
        slot.referenceSyncFd = pool.dmaBufFd();
        slot.referenceSize = pool.size();
        PixelFormat format = PixelFormat.ofFourcc(f.format());
        long bytes = 0;
        for (int p = 0; p < format.planes(); p++) {
            bytes += format.planeRowBytes(p, f.width()) * format.planeRows(p, f.height());
        }
        counters.framesByReference.increment();
        counters.bytesByReference.getAndAddRelease(bytes);
        return FRAME;
    }

    // ---- lifetimes ----------------------------------------------------------------------------------

    /** The encode agent let go of the connection: unmap its pools, close a pending fd. */
    void release(IoConnection c) {
        dropStrayFd(c);
        ConnectionPools pools = c.pools;
        while (pools.count > 0) {
            String region = pools.regions[pools.count - 1];
            MappedBuffer b = pools.remove(pools.count - 1);
            if (region == null) {
                b.close();
            }
            counters.poolsMapped.getAndAddRelease(-1);
        }
    }

    /** The agents have stopped: unmap the host regions. */
    void closeRegions() {
        if (!ownsRegions) {
            return;
        }
        for (MappedBuffer r : regions) {
            r.close();
        }
    }
}

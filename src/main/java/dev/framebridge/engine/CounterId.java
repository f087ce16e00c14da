package dev.framebridge.engine;

/**
 * The engine's counters, in the order they are allocated in the counters file. Labels are what {@code stat} prints;
 * a label ending in "(bytes)" or "(us)" is a level, not a count (stat shows no rate for it). Each open session also
 * gets a counter of its own frame memory ({@link EngineCounters#newSessionCounter}).
 */
public enum CounterId {
    CONNECTIONS_ACTIVE("connections active"),
    CONNECTIONS_ACCEPTED("connections accepted"),
    CONNECTIONS_REFUSED("connections refused (limit or allow-list)"),
    CONNECTIONS_CLOSED_BY_PEER("connections closed by peer"),
    CONNECTIONS_CLOSED_FAULT("connections closed on a fault"),
    CONNECTIONS_STALLED("connections closed: message stalled"),
    CONNECTIONS_TOO_SLOW("connections closed: message below the minimum receive rate"),
    CONNECTIONS_IDLE("connections closed: idle with nothing in flight"),
    CONNECTIONS_EVICTED("connections closed to admit a newcomer (longest idle)"),
    FRAMES_IN("frame requests received"),
    FRAMES_OUT("frame responses sent"),
    FRAMES_CONVERTED_ON_ARRIVAL("frames converted to NV12 as they arrived"),
    ERRORS_OUT("error answers sent"),
    BYTES_IN("bytes received"),
    BYTES_OUT("bytes sent"),
    PINGS("pings answered"),
    KEYFRAME_REQUESTS("keyframe requests"),
    CONFIG_REQUESTS("config requests"),
    MESSAGES_SKIPPED("messages skipped (unknown or host-bound type)"),
    ERR_INVALID_MSG("errors INVALID_MSG"),
    ERR_RESOURCE_NOT_FOUND("errors RESOURCE_NOT_FOUND"),
    ERR_ENCODE_FAILED("errors ENCODE_FAILED"),
    ERR_NOT_CONFIGURED("errors NOT_CONFIGURED"),
    ERR_INTERNAL("errors INTERNAL"),
    IN_FLIGHT("requests in flight"),
    BACKPRESSURE("reads paused by back-pressure"),
    FRAME_MEMORY("frame memory, all sessions and warm (bytes)"),
    FRAME_MEMORY_WARM("frame memory kept warm for new sessions (bytes)"),
    FRAME_MEMORY_LIMIT("frame memory limit, all sessions (bytes)"),
    FRAME_MEMORY_CONNECTION_LIMIT("frame memory limit per connection (bytes)"),
    FRAMES_REFUSED_MEMORY("frames refused: frame memory limit"),
    ENCODER_OPENS("encoder opens"),
    ENCODER_FAILOVERS("sessions moved to x264 after their GPU encoder failed"),
    ENCODE_US_P50("encode time p50 (us)"),
    ENCODE_US_P99("encode time p99 (us)"),
    ENCODE_US_MAX("encode time max (us)"),
    LATENCY_US_P50("request-to-answer p50 (us)"),
    LATENCY_US_P99("request-to-answer p99 (us)"),
    LATENCY_US_MAX("request-to-answer max (us)"),
    AGENT_ERRORS("agent errors (see distinct errors)"),
    // frames by reference (docs/PROTOCOL-EXTENSIONS.md)
    FRAMES_IN_BAND("frames with pixels in band"),
    BYTES_IN_BAND("pixel bytes received in band"),
    FRAMES_BY_REFERENCE("frames by reference"),
    BYTES_BY_REFERENCE("pixel bytes read by reference, in place"),
    HELLOS("HELLOs answered"),
    POOLS_REGISTERED("pools registered"),
    POOLS_MAPPED("pools mapped now"),
    POOL_REFUSED_UNSEALED("pool refusals: memfd not sealed against shrinking"),
    POOL_REFUSED_NOT_MAPPABLE("pool refusals: no fd, not a memfd or DMA-BUF, or not mappable"),
    POOL_REFUSED_SIZE("pool refusals: empty, or smaller than asked"),
    POOL_REFUSED_DUPLICATE("pool refusals: buffer registered twice"),
    POOL_REFUSED_LIMIT("pool refusals: too many pools on a connection"),
    POOL_REFUSED_OTHER("pool refusals: not granted, unknown region or bad fields"),
    FRAME_REF_REFUSED_POOL("frame-by-reference refusals: unknown, released or another connection's pool"),
    FRAME_REF_REFUSED_BOUNDS("frame-by-reference refusals: a field out of bounds"),
    // DMA-BUF frames offered to a GPU encoder (h264_vaapi imports NV12 ones; the rest are read by the CPU)
    DMABUF_IMPORTED("DMA-BUF frames imported into the GPU encoder (no CPU copy)"),
    DMABUF_CPU_ENCODER("DMA-BUF frames read by the CPU: the session's encoder imports none"),
    DMABUF_CPU_FORMAT("DMA-BUF frames read by the CPU: not NV12"),
    DMABUF_CPU_REFUSED("DMA-BUF frames read by the CPU: the VA driver refused the import"),
    ERR_LIMIT("errors LIMIT"),
    ERR_POOL_REFUSED("errors POOL_REFUSED"),
    // scaling: the encoder thread budget and where a request's time goes (host-wide)
    ENCODER_THREADS("encoder threads, all open sessions (level)"),
    STAGE_WAIT_US_P50("stage wait to be read p50 (us)"),
    STAGE_WAIT_US_P99("stage wait to be read p99 (us)"),
    STAGE_RECEIVE_US_P50("stage receive p50 (us)"),
    STAGE_RECEIVE_US_P99("stage receive p99 (us)"),
    STAGE_CONVERT_US_P50("stage convert on arrival p50 (us)"),
    STAGE_CONVERT_US_P99("stage convert on arrival p99 (us)"),
    STAGE_QUEUE_US_P50("stage queued for the encoder p50 (us)"),
    STAGE_QUEUE_US_P99("stage queued for the encoder p99 (us)"),
    STAGE_ENCODE_US_P50("stage encode p50 (us)"),
    STAGE_ENCODE_US_P99("stage encode p99 (us)"),
    STAGE_WRITE_US_P50("stage answer written p50 (us)"),
    STAGE_WRITE_US_P99("stage answer written p99 (us)"),
    STAGE_TOTAL_US_P50("stage total, readable to answer written p50 (us)"),
    STAGE_TOTAL_US_P99("stage total, readable to answer written p99 (us)"),
    // layout: how the engine was started (--io-agents, --encode-threads)
    IO_AGENTS("I/O agents (layout)"),
    ENCODE_AGENTS("encode threads (layout; 0: each I/O agent encodes its own sessions)"),
    // push mode (serve --qemu-display, issue 15)
    PUSH_SUBSCRIBERS("push subscribers (level)"),
    PUSH_FRAMES("push frames sent"),
    PUSH_DROPS("push frames skipped for slow subscribers (newest wins)"),
    PUSH_REFUSED("push subscriptions refused (unknown or ended scanout)"),
    PUSH_ENDED("push subscriptions ended by their scanout (QEMU quit)");

    private final String label;

    CounterId(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The counter counting answers with this protocol error code. */
    public static CounterId forErrorCode(int code) {
        return switch (code) {
            case dev.framebridge.protocol.ErrorCode.INVALID_MSG -> ERR_INVALID_MSG;
            case dev.framebridge.protocol.ErrorCode.RESOURCE_NOT_FOUND -> ERR_RESOURCE_NOT_FOUND;
            case dev.framebridge.protocol.ErrorCode.ENCODE_FAILED -> ERR_ENCODE_FAILED;
            case dev.framebridge.protocol.ErrorCode.NOT_CONFIGURED -> ERR_NOT_CONFIGURED;
            case dev.framebridge.protocol.ErrorCode.LIMIT -> ERR_LIMIT;
            case dev.framebridge.protocol.ErrorCode.POOL_REFUSED -> ERR_POOL_REFUSED;
            default -> ERR_INTERNAL;
        };
    }
}

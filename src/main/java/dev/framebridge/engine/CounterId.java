package dev.framebridge.engine;

/** The engine's counters, in the order they are allocated in the counters file. Labels are what {@code stat} prints. */
public enum CounterId {
    CONNECTIONS_ACTIVE("connections active"),
    CONNECTIONS_ACCEPTED("connections accepted"),
    CONNECTIONS_REFUSED("connections refused (limit or allow-list)"),
    CONNECTIONS_CLOSED_BY_PEER("connections closed by peer"),
    CONNECTIONS_CLOSED_FAULT("connections closed on a fault"),
    CONNECTIONS_STALLED("connections closed: message stalled"),
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
    ENCODER_OPENS("encoder opens"),
    ENCODER_FAILOVERS("sessions moved to x264 after their GPU encoder failed"),
    ENCODE_US_P50("encode time p50 (us)"),
    ENCODE_US_P99("encode time p99 (us)"),
    ENCODE_US_MAX("encode time max (us)"),
    LATENCY_US_P50("request-to-answer p50 (us)"),
    LATENCY_US_P99("request-to-answer p99 (us)"),
    LATENCY_US_MAX("request-to-answer max (us)"),
    AGENT_ERRORS("agent errors (see distinct errors)");

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
            default -> ERR_INTERNAL;
        };
    }
}

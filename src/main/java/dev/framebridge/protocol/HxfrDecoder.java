package dev.framebridge.protocol;

import dev.framebridge.frame.PixelFormat;

/**
 * Validates HXFR messages before anything trusts a field. Two steps, matching how bytes arrive:
 * {@link #checkHeader} once the 12-byte header is in (decides how many bytes to read next and whether the
 * stream can go on), then {@link #checkFrameRequest} (or the other {@code check*}) once the fixed body is in.
 *
 * <p>Each check returns {@link #ACCEPT}, {@link #SKIP} (ignore the message: discard {@code payload_size}
 * bytes, answer nothing) or {@link #REJECT} (answer ERROR with {@link #rejection()}; then discard the rest
 * of the payload, or close the connection when {@link Rejection#closeConnection()} says framing is lost).
 * Accepting allocates nothing; a rejection builds its message in a reused buffer.
 *
 * <p>Tolerance rules (vsockenc compatibility): a message longer than its fixed body is read and the extra
 * bytes skipped; messages a host sends (FRAME_RESPONSE, PONG, ERROR …) and unknown types are skipped, as the
 * reference host did; only requests that expect an answer are answered with ERROR, so a client is never
 * sent a message it did not ask for.
 */
public final class HxfrDecoder {
    public static final int ACCEPT = 0;
    public static final int SKIP = 1;
    public static final int REJECT = 2;

    private static final int MAX_SCANOUT_ID = 15;
    /** Largest FRAME_REF row pitch (16 MiB: far beyond 16384 pixels × 4 bytes); keeps strides within an int. */
    public static final long MAX_REF_STRIDE = 1 << 24;

    /** The most bytes a request's header and fixed body take: what a slot's request area must hold. */
    public static final int LARGEST_FIXED_REQUEST = largestFixedRequest();

    private final ProtocolLimits limits;
    private final Rejection rejection = new Rejection();

    public HxfrDecoder(ProtocolLimits limits) {
        this.limits = limits;
    }

    public ProtocolLimits limits() {
        return limits;
    }

    public Rejection rejection() {
        return rejection;
    }

    /** Fixed body bytes to read after the header for a message of this type (0 for types with no body or skipped ones). */
    public static int fixedBodyLength(int type) {
        return switch (type) {
            case Hxfr.MSG_FRAME_REQUEST -> FrameRequestFlyweight.BODY_LENGTH;
            case Hxfr.MSG_CONFIG_REQ -> ConfigRequestFlyweight.BODY_LENGTH;
            case Hxfr.MSG_ENABLE_SCANOUT -> EnableScanoutFlyweight.LENGTH - MessageFlyweight.HEADER_LENGTH;
            case Hxfr.MSG_DISABLE_SCANOUT, Hxfr.MSG_SUBSCRIBE -> ScanoutIdFlyweight.LENGTH - MessageFlyweight.HEADER_LENGTH;
            case Hxfr.MSG_HELLO -> HelloFlyweight.BODY_LENGTH;
            case Hxfr.MSG_REGISTER_POOL -> RegisterPoolFlyweight.BODY_LENGTH;
            case Hxfr.MSG_UNREGISTER_POOL -> UnregisterPoolFlyweight.BODY_LENGTH;
            case Hxfr.MSG_FRAME_REF -> FrameRefFlyweight.BODY_LENGTH;
            default -> 0;
        };
    }

    private static int largestFixedRequest() {
        int body = 0;
        for (int type = 0; type <= 0xFF; type++) { // the header's type is one byte
            body = Math.max(body, fixedBodyLength(type));
        }
        return MessageFlyweight.HEADER_LENGTH + body;
    }

    /** Whether the client waits for an answer to this type (and so may be sent an ERROR for it). */
    public static boolean expectsAnswer(int type) {
        return type == Hxfr.MSG_FRAME_REQUEST || type == Hxfr.MSG_CONFIG_REQ || type == Hxfr.MSG_PING
                || type == Hxfr.MSG_ENABLE_SCANOUT || type == Hxfr.MSG_SUBSCRIBE
                || type == Hxfr.MSG_HELLO || type == Hxfr.MSG_REGISTER_POOL || type == Hxfr.MSG_UNREGISTER_POOL
                || type == Hxfr.MSG_FRAME_REF;
    }

    /** {@link #checkHeader(MessageFlyweight, boolean)} for a connection that has not sent HELLO. */
    public int checkHeader(MessageFlyweight<?> header) {
        return checkHeader(header, false);
    }

    /**
     * Checks a header. Without a HELLO on the connection ({@code extensions} false) every extension type but HELLO is
     * skipped unanswered, exactly as unknown types always were, so a plain HXFR client sees no difference; HELLO itself
     * is the opt-in and is answered.
     */
    public int checkHeader(MessageFlyweight<?> header, boolean extensions) {
        int magic = header.magic();
        if (magic != Hxfr.MAGIC) {
            reject(ErrorCode.INVALID_MSG, true).append("bad magic 0x").append(Integer.toHexString(magic))
                    .append(" (expected 0x52465848, \"HXFR\"): not an HXFR client, or the stream lost sync; closing");
            return REJECT;
        }
        long payload = header.payloadSize();
        int type = header.type();
        if (payload > limits.maxPayload()) {
            reject(ErrorCode.INVALID_MSG, true).append(Hxfr.typeName(type)).append(" payload_size ").append(payload)
                    .append(" exceeds the limit of ").append(limits.maxPayload())
                    .append(" bytes (raise --max-payload if frames are really this large); closing");
            return REJECT;
        }
        switch (type) {
            case Hxfr.MSG_FRAME_REQUEST:
                if (payload < FrameRequestFlyweight.BODY_LENGTH) {
                    reject(ErrorCode.INVALID_MSG, false).append("FRAME_REQUEST payload_size ").append(payload)
                            .append(" < ").append(FrameRequestFlyweight.BODY_LENGTH).append(" (its fixed body)");
                    return REJECT;
                }
                if ((header.flags() & Hxfr.FLAG_PIXEL_DATA) == 0 && payload != FrameRequestFlyweight.BODY_LENGTH) {
                    reject(ErrorCode.INVALID_MSG, false).append("FRAME_REQUEST without PIXEL_DATA has payload_size ")
                            .append(payload).append(", expected ").append(FrameRequestFlyweight.BODY_LENGTH)
                            .append(": set flag PIXEL_DATA (0x01) when pixels follow");
                    return REJECT;
                }
                return ACCEPT;
            case Hxfr.MSG_CONFIG_REQ:
            case Hxfr.MSG_ENABLE_SCANOUT:
            case Hxfr.MSG_SUBSCRIBE:
            case Hxfr.MSG_DISABLE_SCANOUT: {
                int body = fixedBodyLength(type);
                if (payload < body) {
                    if (!expectsAnswer(type)) {
                        return SKIP;
                    }
                    reject(ErrorCode.INVALID_MSG, false).append(Hxfr.typeName(type)).append(" payload_size ")
                            .append(payload).append(" < ").append(body).append(" (its fixed body)");
                    return REJECT;
                }
                return ACCEPT;
            }
            case Hxfr.MSG_PING:
            case Hxfr.MSG_KEYFRAME_REQ:
                return ACCEPT;
            case Hxfr.MSG_HELLO:
            case Hxfr.MSG_REGISTER_POOL:
            case Hxfr.MSG_UNREGISTER_POOL:
            case Hxfr.MSG_FRAME_REF: {
                if (type != Hxfr.MSG_HELLO && !extensions) {
                    return SKIP;
                }
                int body = fixedBodyLength(type);
                if (payload < body) {
                    reject(ErrorCode.INVALID_MSG, false).append(Hxfr.typeName(type)).append(" payload_size ")
                            .append(payload).append(" < ").append(body).append(" (its fixed body)");
                    return REJECT;
                }
                return ACCEPT;
            }
            default:
                return SKIP;
        }
    }

    // ---- extension messages (after HELLO; docs/PROTOCOL-EXTENSIONS.md) ---------------------------------

    /** Checks a HELLO body: only {@link Hxfr#EXT_VERSION} is spoken. */
    public int checkHello(HelloFlyweight hello) {
        long version = hello.version();
        if (version != Hxfr.EXT_VERSION) {
            reject(ErrorCode.INVALID_MSG, false).append("HELLO version ").append(version)
                    .append(" unsupported: this host speaks extension version ").append(Hxfr.EXT_VERSION)
                    .append("; send HELLO with version ").append(Hxfr.EXT_VERSION)
                    .append(" (plain HXFR needs no HELLO and keeps working)");
            return REJECT;
        }
        return ACCEPT;
    }

    /**
     * Checks a REGISTER_POOL body against the capabilities granted on this connection (HELLO_RESP). The pool itself
     * (the fd or the region) is checked by whoever maps it.
     */
    public int checkRegisterPool(RegisterPoolFlyweight register, int granted) {
        int source = register.source();
        if (source == Hxfr.POOL_SOURCE_FD) {
            if ((granted & Hxfr.CAP_POOL_FD) == 0) {
                reject(ErrorCode.INVALID_MSG, false).append("REGISTER_POOL source=fd was not granted on this")
                        .append(" connection: fd pools need HELLO asking for HXFR_CAP_POOL_FD (0x1) on a Unix socket")
                        .append(" (SCM_RIGHTS); over vsock or TCP register a host region (serve --region) instead");
                return REJECT;
            }
        } else if (source == Hxfr.POOL_SOURCE_REGION) {
            if ((granted & Hxfr.CAP_POOL_REGION) == 0) {
                reject(ErrorCode.INVALID_MSG, false).append("REGISTER_POOL source=region was not granted on this")
                        .append(" connection: it needs HELLO asking for HXFR_CAP_POOL_REGION (0x2) and a host started")
                        .append(" with serve --region NAME=PATH");
                return REJECT;
            }
        } else {
            reject(ErrorCode.INVALID_MSG, false).append("REGISTER_POOL source ").append(source & 0xFFFF_FFFFL)
                    .append(" unknown: use 1 (an fd passed with SCM_RIGHTS) or 2 (a host region by name)");
            return REJECT;
        }
        if (register.poolFlags() != 0) {
            reject(ErrorCode.INVALID_MSG, false).append("REGISTER_POOL flags 0x")
                    .append(Integer.toHexString(register.poolFlags())).append(" unknown: send 0");
            return REJECT;
        }
        if (register.size() < 0) {
            reject(ErrorCode.INVALID_MSG, false).append("REGISTER_POOL size ")
                    .append(Long.toUnsignedString(register.size())).append(" is beyond any buffer");
            return REJECT;
        }
        return ACCEPT;
    }

    /**
     * Checks a FRAME_REF against the pool it names ({@code poolBytes} long), every bound before anything is read:
     * format, size, each plane's stride against its row and each plane's last byte against the pool. A rejection
     * names the field.
     */
    public int checkFrameRef(FrameRefFlyweight ref, long poolBytes) {
        int fourcc = ref.format();
        PixelFormat format = PixelFormat.ofFourcc(fourcc);
        if (format == null) {
            reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF format ").append(PixelFormat.fourccName(fourcc))
                    .append(" unknown: send AR24 (BGRA8888), AB24 (RGBA8888), NV12 or YU12 (I420)");
            return REJECT;
        }
        long width = ref.width();
        long height = ref.height();
        int max = limits.maxDimension();
        if (width < 1 || width > max || height < 1 || height > max) {
            reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF width x height ").append(width).append('x')
                    .append(height).append(" outside 1x1..").append(max).append('x').append(max);
            return REJECT;
        }
        long offset = ref.frameOffset();
        if (offset < 0 || offset >= poolBytes) {
            reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF offset ").append(Long.toUnsignedString(offset))
                    .append(" is outside pool ").append(ref.poolId() & 0xFFFF_FFFFL).append(" (")
                    .append(poolBytes).append(" bytes)");
            return REJECT;
        }
        for (int p = 0; p < format.planes(); p++) {
            long stride = ref.stride(p);
            long row = format.planeRowBytes(p, width);
            if (stride > MAX_REF_STRIDE) {
                reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF stride[").append(p).append("] ").append(stride)
                        .append(" exceeds ").append(MAX_REF_STRIDE).append(" bytes, the largest row pitch accepted");
                return REJECT;
            }
            if (stride < row) {
                reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF stride[").append(p).append("] ").append(stride)
                        .append(" < ").append(row).append(" bytes of a ").append(PixelFormat.fourccName(fourcc))
                        .append(" plane ").append(p).append(" row ").append(width).append(" pixels wide");
                return REJECT;
            }
            // offset < poolBytes (< 2^63), plane_offset and stride < 2^32, rows < 2^15: no overflow below.
            long start = offset + ref.planeOffset(p);
            long end = start + stride * (format.planeRows(p, height) - 1) + row;
            if (end > poolBytes) {
                reject(ErrorCode.INVALID_MSG, false).append("FRAME_REF plane_offset[").append(p).append("] ")
                        .append(ref.planeOffset(p)).append(" with stride[").append(p).append("] ").append(stride)
                        .append(": plane ").append(p).append(" ends at byte ").append(end).append(", beyond pool ")
                        .append(ref.poolId() & 0xFFFF_FFFFL).append(" (").append(poolBytes).append(" bytes)");
                return REJECT;
            }
        }
        return ACCEPT;
    }

    /**
     * A rejection decided by state the decoder does not hold (the connection's pools): sets the rejection's code and
     * returns its cleared text for the caller to write; the caller then answers ERROR as for any {@link #REJECT}.
     */
    public StringBuilder refuse(int code) {
        return reject(code, false);
    }

    /** Checks a FRAME_REQUEST whose header passed {@link #checkHeader} and whose 44-byte body is in. */
    public int checkFrameRequest(FrameRequestFlyweight frame) {
        long width = frame.width();
        long height = frame.height();
        int max = limits.maxDimension();
        if (width < 1 || width > max || height < 1 || height > max) {
            reject(ErrorCode.INVALID_MSG, false).append("frame size ").append(width).append('x').append(height)
                    .append(" outside 1x1..").append(max).append('x').append(max);
            return REJECT;
        }
        if (!frame.hasPixelData()) {
            long resource = frame.resourceId();
            if (resource == 0) {
                reject(ErrorCode.INVALID_MSG, false)
                        .append("FRAME_REQUEST carries neither pixels (flag PIXEL_DATA) nor a resource_id");
                return REJECT;
            }
            if (!limits.resourceImport()) {
                reject(ErrorCode.RESOURCE_NOT_FOUND, false).append("resource_id ").append(resource)
                        .append(" cannot be imported: this host has no virtio-gpu/DMA-BUF path; send the pixels")
                        .append(" with flag PIXEL_DATA and resource_id 0 instead");
                return REJECT;
            }
        }
        int fourcc = frame.format();
        PixelFormat format = PixelFormat.ofFourcc(fourcc);
        if (format == null || format == PixelFormat.I420) {
            reject(ErrorCode.INVALID_MSG, false).append("pixel format ").append(PixelFormat.fourccName(fourcc))
                    .append(" unknown: send AR24 (BGRA8888), AB24 (RGBA8888) or NV12");
            return REJECT;
        }
        long stride = frame.stride();
        long minStride = width * format.bytesPerPixel();
        if (stride < minStride) {
            reject(ErrorCode.INVALID_MSG, false).append("stride ").append(stride).append(" < width ").append(width)
                    .append(" x ").append(format.bytesPerPixel()).append(" bytes per pixel (")
                    .append(PixelFormat.fourccName(fourcc)).append(')');
            return REJECT;
        }
        // Also for a frame by resource_id (no pixels in the payload): the host would read stride x rows of it.
        long need = format.frameBytes(stride, height);
        long largest = limits.maxPayload() - FrameRequestFlyweight.BODY_LENGTH;
        if (need > largest) {
            reject(ErrorCode.INVALID_MSG, false).append("frame of stride ").append(stride).append(" x height ")
                    .append(height).append(format == PixelFormat.NV12 ? " x 3/2" : "").append(" = ").append(need)
                    .append(" bytes exceeds the largest frame of ").append(largest).append(" bytes (--max-payload)");
            return REJECT;
        }
        if (frame.hasPixelData()) {
            long have = frame.pixelBytes();
            if (have < need) {
                StringBuilder m = reject(ErrorCode.INVALID_MSG, false).append("pixel payload ").append(have)
                        .append(" bytes < stride ").append(stride).append(" x height ").append(height);
                if (format == PixelFormat.NV12) {
                    m.append(" x 3/2");
                }
                m.append(" = ").append(need).append(" (").append(PixelFormat.fourccName(fourcc)).append(')');
                return REJECT;
            }
        }
        return ACCEPT;
    }

    /** Checks a CONFIG_REQ body; zero width, height, bitrate or frame rate mean "keep the current value". */
    public int checkConfigRequest(ConfigRequestFlyweight config) {
        long width = config.width();
        long height = config.height();
        int max = limits.maxDimension();
        if (width > max || height > max || (width == 0) != (height == 0)) {
            reject(ErrorCode.INVALID_MSG, false).append("CONFIG_REQ size ").append(width).append('x').append(height)
                    .append(" outside 1x1..").append(max).append('x').append(max).append(" (0x0 keeps the current size)");
            return REJECT;
        }
        if (config.framerateNum() != 0 && config.framerateDen() == 0) {
            reject(ErrorCode.INVALID_MSG, false).append("CONFIG_REQ framerate ").append(config.framerateNum())
                    .append("/0: framerate_den must be non-zero");
            return REJECT;
        }
        int profile = config.profile();
        if (profile != 0 && H264Profile.ofIdc(profile) == null) {
            reject(ErrorCode.INVALID_MSG, false).append("CONFIG_REQ profile ").append(profile)
                    .append(" unsupported: use ").append(H264Profile.CHOICES);
            return REJECT;
        }
        // An unknown level is not refused until the encoder opens, and then for every frame, naming x264, not the level.
        int level = config.level();
        if (level != 0 && !isH264Level(level)) {
            reject(ErrorCode.INVALID_MSG, false).append("CONFIG_REQ level ").append(level)
                    .append(" unknown: use 0 (the encoder chooses) or a level_idc: 9 (1b), 10-13, 20-22, 30-32, 40-42,")
                    .append(" 50-52, 60-62");
            return REJECT;
        }
        return ACCEPT;
    }

    /** The H.264 level_idc values (x264's table; 9 is level 1b). */
    private static boolean isH264Level(int level) {
        return level == 9 || (level >= 10 && level <= 13) || (level >= 20 && level <= 62 && level % 10 <= 2);
    }

    /** Checks ENABLE_SCANOUT / SUBSCRIBE scanout ids (1..15; 0 is the VM's own display). */
    public int checkScanoutId(int type, long scanoutId) {
        if (scanoutId < 1 || scanoutId > MAX_SCANOUT_ID) {
            reject(ErrorCode.INVALID_MSG, false).append(Hxfr.typeName(type)).append(" scanout_id ").append(scanoutId)
                    .append(" outside 1..").append(MAX_SCANOUT_ID).append(" (0 is the VM's own display)");
            return REJECT;
        }
        return ACCEPT;
    }

    private StringBuilder reject(int code, boolean close) {
        return rejection.set(code, close).text();
    }
}

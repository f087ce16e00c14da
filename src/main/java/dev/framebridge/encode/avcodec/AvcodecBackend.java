package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.vaapi.RenderNodes;
import dev.framebridge.encode.vaapi.VaEncoderSearch;
import dev.framebridge.ffi.LibAvcodec;
import dev.framebridge.ffi.LibYuv;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A libavcodec H.264 encoder as a framebridge backend ({@code --encoder h264_vaapi}, …). It says what stops it on
 * this host in two parts: {@link #unavailableReason()} for the libraries (libavcodec 59 with this encoder built in,
 * libyuv), {@link #deviceProblem()} for the hardware, found out by asking it — the VA driver on each render node
 * (libva directly: open, vaInitialize, H.264 encode entrypoints), the NVIDIA driver for NVENC. The registry then
 * proves the rest with a test encode.
 */
public final class AvcodecBackend implements EncoderBackend {
    /** The NVIDIA driver's control device: present whenever its kernel module is loaded. */
    public static final Path NVIDIA_CONTROL = Path.of("/dev/nvidiactl");

    private final AvcodecCodec codec;
    private final Path driDirectory;
    private final Path nvidiaControl;
    /** The device the last {@link #deviceProblem()} found: where sessions open. */
    private volatile Path node;
    private volatile AvcodecRecipe.DeviceHints hints = AvcodecRecipe.DeviceHints.DEFAULT;

    public AvcodecBackend(AvcodecCodec codec) {
        this(codec, RenderNodes.DEFAULT_DIRECTORY, NVIDIA_CONTROL);
    }

    /** With other places to look for GPUs — how tests show what a host without them is told. */
    public AvcodecBackend(AvcodecCodec codec, Path driDirectory, Path nvidiaControl) {
        this.codec = codec;
        this.driDirectory = driDirectory;
        this.nvidiaControl = nvidiaControl;
    }

    public AvcodecCodec codec() {
        return codec;
    }

    @Override
    public String name() {
        return codec.encoderName();
    }

    @Override
    public String unavailableReason() {
        String libs = LibAvcodec.unavailableReason();
        if (libs != null) {
            return libs;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (LibAvcodec.avcodec_find_encoder_by_name(arena.allocateFrom(codec.encoderName())) == 0) {
                return "this libavcodec (" + LibAvcodec.SONAME + ") has no " + codec.encoderName()
                        + " encoder: its build left it out";
            }
        }
        return LibYuv.unavailableReason();
    }

    @Override
    public String deviceProblem() {
        switch (codec) {
            case H264_VAAPI -> {
                return search(VaEncoderSearch.search(driDirectory, caps -> true, ""));
            }
            case H264_QSV -> {
                return search(VaEncoderSearch.search(driDirectory, caps -> caps.vendor().contains("Intel"),
                        "Quick Sync needs an Intel GPU and Intel's media driver (intel-media-va-driver)"));
            }
            case H264_NVENC -> {
                if (!Files.exists(nvidiaControl)) {
                    return "no NVIDIA GPU: " + nvidiaControl + " does not exist (no NVIDIA kernel driver loaded)";
                }
                try (Arena arena = Arena.ofConfined()) {
                    SymbolLookup.libraryLookup("libcuda.so.1", arena);
                } catch (IllegalArgumentException e) {
                    return "no NVIDIA driver library: libcuda.so.1 not found (install the NVIDIA driver's libcuda1)";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private String search(VaEncoderSearch.Result result) {
        if (!result.found()) {
            return result.reason();
        }
        node = result.node();
        hints = new AvcodecRecipe.DeviceHints(result.capabilities().lowPower(), result.capabilities().supportsCbr());
        return null;
    }

    @Override
    public Encoder open(EncoderConfig config) throws EncoderException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new EncoderException(codec.encoderName() + " unavailable: " + reason);
        }
        if ((codec == AvcodecCodec.H264_VAAPI || codec == AvcodecCodec.H264_QSV) && node == null) {
            String device = deviceProblem();
            if (device != null) {
                throw new EncoderException(codec.encoderName() + " unavailable: " + device);
            }
        }
        return new AvcodecEncoder(codec, config, node, hints);
    }

    /** Frames are converted to NV12 on the CPU with libyuv (as for x264) and uploaded as NV12. */
    @Override
    public boolean takesConvertedRgb() {
        return true;
    }

    @Override
    public boolean isHardware() {
        return codec.isHardware();
    }
}

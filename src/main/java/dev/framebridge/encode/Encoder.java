package dev.framebridge.encode;

import java.lang.foreign.MemorySegment;

/**
 * One H.264 encoder session. The real-time contract every backend keeps: no B-frames, no lookahead,
 * one whole access unit out for each frame in, immediately; SPS/PPS (Annex-B, with start codes) in
 * front of every IDR; an IDR whenever asked.
 *
 * <p>Not thread-safe: one encode agent owns an encoder. {@link #encode} allocates nothing in steady state.
 */
public interface Encoder extends AutoCloseable {

    /** Backend name, as accepted by {@code --encoder}. */
    String name();

    EncoderConfig config();

    /**
     * Encodes one frame of {@link EncoderConfig#width()} × {@link EncoderConfig#height()} in
     * {@link EncoderConfig#inputFormat()}, rows {@code stride} bytes apart in plane 0 (chroma planes follow
     * plane 0 as the format defines: NV12's UV at {@code stride × height}; I420's U and V at stride/2).
     *
     * @param pixels   at least {@code inputFormat.frameBytes(stride, height)} bytes
     * @param pts      presentation time in ns, echoed in {@code out}
     * @param forceIdr make this frame an IDR
     * @param out      receives the access unit; its memory stays valid until the next call on this encoder
     * @throws EncoderException when the encoder fails; the encoder stays usable for the next frame
     */
    void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException;

    /**
     * Encodes a frame of this encoder's BGRA/RGBA input that the caller has already converted to NV12 with
     * {@link RgbToNv12} (same size, same crop), so conversion can happen elsewhere — the engine converts each band
     * of rows as it arrives, while this encoder works on the previous frame. Only for backends that say
     * {@link EncoderBackend#takesConvertedRgb()}.
     *
     * @param nv12 at least {@link RgbToNv12#bytes} bytes of native memory, laid out as that class describes
     */
    default void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        throw new EncoderException(name() + " does not take frames converted ahead; give it the pixels as sent");
    }

    /**
     * Encodes a frame read in place from planes the caller located and bounds-checked (frames by reference): NV12 and
     * I420 planes go to the encoder as they lie, BGRA/RGBA are converted from where they lie straight into the
     * encoder's own input planes. Same contract as {@link #encode} otherwise; the planes are not read after this
     * returns.
     *
     * @param planes as many planes as {@link EncoderConfig#inputFormat()} has, each row pitch at least a row's bytes
     */
    default void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        throw new EncoderException(name() + " does not take frames by reference; send the pixels in band");
    }

    /**
     * A frame by reference whose pool is a DMA-BUF, offered to the GPU without a CPU copy: an encoder that can import
     * the buffer as one of its surfaces (h264_vaapi, NV12) encodes it from there and returns {@link DmaBufFrame#ENCODED}.
     * Any other outcome means nothing was encoded and {@code out} is untouched: the caller reads the planes with the CPU
     * ({@link #encodePlanes}), as for any other pool. An import the driver refused is refused for the rest of the
     * session ({@link #dmaBufRefusal()} says why), so a buffer the GPU cannot take costs one failed call, not one per
     * frame.
     *
     * @param buffer where the planes lie in the DMA-BUF
     * @param planes the frame's planes, bounds-checked against the pool
     * @return a {@link DmaBufFrame} outcome code
     */
    default int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        return DmaBufFrame.NOT_THIS_ENCODER;
    }

    /** Why this encoder stopped importing DMA-BUFs (the driver's refusal), or null while it has not. */
    default String dmaBufRefusal() {
        return null;
    }

    /**
     * Applies a new configuration: bitrate changes in place; a new size, format, profile or frame rate reopens
     * the encoder (the next frame is an IDR with new SPS/PPS).
     */
    void reconfigure(EncoderConfig config) throws EncoderException;

    @Override
    void close();
}

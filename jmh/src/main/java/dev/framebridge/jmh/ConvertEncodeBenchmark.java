package dev.framebridge.jmh;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.X264Encoder;
import dev.framebridge.ffi.LibYuv;
import dev.framebridge.frame.PixelFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * What a BGRA frame costs on the x264 path, split into its parts: libyuv BGRA→NV12 alone, x264 on a ready NV12
 * frame alone, and the real path (X264Encoder on BGRA: conversion into x264's picture, then encode).
 *
 * <p>Not built by the main pom (no JMH dependency in the default build): the lead wires jmh/ as its own module.
 * Run with {@code --enable-native-access=ALL-UNNAMED}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ConvertEncodeBenchmark {
    private static final int FRAMES = 8;

    @Param({"1280x720", "1920x1080"})
    public String size;

    private Arena arena;
    private int width;
    private int height;
    private int stride;
    private MemorySegment[] bgra;
    private MemorySegment[] nv12;
    private MemorySegment luma;
    private MemorySegment chroma;
    private X264Encoder bgraEncoder;
    private X264Encoder nv12Encoder;
    private final EncodedFrame out = new EncodedFrame();
    private long pts;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws EncoderException {
        String[] wh = size.split("x");
        width = Integer.parseInt(wh[0]);
        height = Integer.parseInt(wh[1]);
        stride = width * 4;
        arena = Arena.ofShared();
        bgra = new MemorySegment[FRAMES];
        nv12 = new MemorySegment[FRAMES];
        for (int f = 0; f < FRAMES; f++) {
            bgra[f] = arena.allocate((long) stride * height, 64);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    // moving gradient with a sharp grid: something for motion search and for edges
                    int v = ((x + 7 * f) & 0xFF) << 16 | ((y + 3 * f) & 0xFF) << 8 | (((x ^ y) & 8) != 0 ? 0xF0 : 0x10);
                    bgra[f].set(JAVA_INT, (long) y * stride + 4L * x, 0xFF000000 | v);
                }
            }
            nv12[f] = arena.allocate(PixelFormat.NV12.frameBytes(width, height), 64);
            LibYuv.ARGBToNV12(bgra[f], stride, nv12[f], width, nv12[f].asSlice((long) width * height), width, width, height);
        }
        luma = arena.allocate((long) width * height, 64);
        chroma = arena.allocate((long) width * height / 2, 64);
        bgraEncoder = new X264Encoder(EncoderConfig.defaults(width, height, PixelFormat.BGRA8888));
        nv12Encoder = new X264Encoder(EncoderConfig.defaults(width, height, PixelFormat.NV12));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bgraEncoder.close();
        nv12Encoder.close();
        arena.close();
    }

    @Benchmark
    public int convertBgraToNv12() {
        return LibYuv.ARGBToNV12(bgra[next++ & (FRAMES - 1)], stride, luma, width, chroma, width, width, height);
    }

    @Benchmark
    public long encodeNv12() throws EncoderException {
        nv12Encoder.encode(nv12[next++ & (FRAMES - 1)], width, pts += 33_333_333L, false, out);
        return out.length();
    }

    @Benchmark
    public long convertAndEncodeBgra() throws EncoderException {
        bgraEncoder.encode(bgra[next++ & (FRAMES - 1)], stride, pts += 33_333_333L, false, out);
        return out.length();
    }
}

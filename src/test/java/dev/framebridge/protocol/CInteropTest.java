package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.nativebuild.NativeProbe;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A C program compiled in this test run from headers/hxfr.h writes one message of every type that Java
 * decodes, and reads back the messages Java wrote — the Java layouts proven against a C compiler.
 */
class CInteropTest {
    private static Path interop;

    @BeforeAll
    static void build() throws Exception {
        interop = NativeProbe.compile(NativeProbe.baseDir().resolve("native-build/interop/hxfr_interop.c"), "hxfr_interop");
    }

    private static byte[] exec(byte[] stdin, String mode) throws Exception {
        Process p = new ProcessBuilder(interop.toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream os = p.getOutputStream()) {
            os.write(stdin);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "hxfr_interop " + mode + " failed");
        return out;
    }

    @Test
    void javaDecodesEveryMessageTheCProgramWrites() throws Exception {
        MemorySegment in = MemorySegment.ofArray(exec(new byte[0], "write"));
        HeaderFlyweight h = new HeaderFlyweight();
        HxfrDecoder decoder = new HxfrDecoder(ProtocolLimits.defaults());
        long at = 0;

        FrameRequestFlyweight fr = new FrameRequestFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(fr));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRequest(fr));
        assertEquals(Hxfr.MSG_FRAME_REQUEST, fr.type());
        assertTrue(fr.hasPixelData());
        assertEquals(2, fr.width());
        assertEquals(2, fr.height());
        assertEquals(PixelFormat.RGBA8888.fourcc(), fr.format());
        assertEquals(8, fr.stride());
        assertEquals(1234567890123L, fr.pts());
        assertEquals(16666667L, fr.duration());
        assertTrue(fr.forceKeyframe());
        assertEquals(16, fr.pixelBytes());
        for (int i = 0; i < 16; i++) {
            assertEquals(i, in.get(ValueLayout.JAVA_BYTE, at + 56 + i));
        }
        at += 12 + fr.payloadSize();

        FrameResponseFlyweight rsp = new FrameResponseFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_FRAME_RESPONSE, rsp.type());
        assertEquals(-5, rsp.pts());
        assertEquals(-6, rsp.dts());
        assertTrue(rsp.isKeyframe());
        assertEquals(1, rsp.nalCount());
        assertEquals(5, in.get(HxfrLayouts.U32, at + FrameResponseFlyweight.LENGTH));
        assertEquals(0x65, in.get(ValueLayout.JAVA_BYTE, at + 40 + 4));
        assertEquals(24 + 4 + 5, rsp.payloadSize());
        at += 12 + rsp.payloadSize();

        h.wrap(in, at);
        assertEquals(Hxfr.MSG_KEYFRAME_REQ, h.type());
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(h));
        at += 12;

        ConfigRequestFlyweight cfg = new ConfigRequestFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(cfg));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkConfigRequest(cfg));
        assertEquals(1920, cfg.width());
        assertEquals(1080, cfg.height());
        assertEquals(12_000_000, cfg.bitrate());
        assertEquals(60000, cfg.framerateNum());
        assertEquals(1001, cfg.framerateDen());
        assertEquals(100, cfg.profile());
        assertEquals(42, cfg.level());
        assertTrue(cfg.realtime());
        at += cfg.length();

        h.wrap(in, at);
        assertEquals(Hxfr.MSG_PING, h.type());
        assertEquals(513, h.sessionId());
        at += 12;
        h.wrap(in, at);
        assertEquals(Hxfr.MSG_PONG, h.type());
        assertEquals(513, h.sessionId());
        at += 12;

        EnableScanoutFlyweight en = new EnableScanoutFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_ENABLE_SCANOUT, en.type());
        assertEquals(2, en.scanoutId());
        assertEquals(2560, en.width());
        assertEquals(1440, en.height());
        assertEquals(144, en.refreshRate());
        at += en.length();

        ScanoutIdFlyweight dis = ScanoutIdFlyweight.disableScanout().wrap(in, at);
        assertEquals(Hxfr.MSG_DISABLE_SCANOUT, dis.type());
        assertEquals(2, dis.scanoutId());
        at += dis.length();

        ScanoutResponseFlyweight sr = new ScanoutResponseFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_SCANOUT_RESP, sr.type());
        assertEquals(2, sr.scanoutId());
        assertTrue(sr.success());
        assertEquals("Virtual-2", sr.connectorName());
        at += sr.length();

        ScanoutIdFlyweight sub = ScanoutIdFlyweight.subscribe().wrap(in, at);
        assertEquals(Hxfr.MSG_SUBSCRIBE, sub.type());
        assertEquals(5, sub.scanoutId());
        at += sub.length();

        SubscribeResponseFlyweight subr = new SubscribeResponseFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_SUBSCRIBE_RESP, subr.type());
        assertEquals(5, subr.sessionId());
        assertEquals(5, subr.scanoutId());
        assertFalse(subr.success());
        at += subr.length();

        ErrorFlyweight err = new ErrorFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_ERROR, err.type());
        assertEquals(260, err.payloadSize());
        assertEquals(ErrorCode.NOT_CONFIGURED, err.errorCode());
        assertEquals("encoder not configured: send CONFIG_REQ first", err.message());
        at += err.length();

        HelloFlyweight hello = new HelloFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(hello));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHello(hello));
        assertEquals(Hxfr.EXT_VERSION, hello.version());
        assertEquals(Hxfr.CAP_POOL_FD | Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF, hello.capabilities());
        at += hello.length();

        HelloResponseFlyweight hr = new HelloResponseFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_HELLO_RESP, hr.type());
        assertEquals(100, hr.payloadSize());
        assertEquals(Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF, hr.capabilities());
        assertEquals(Hxfr.MAX_PAYLOAD, hr.maxPayload());
        assertEquals(3, hr.maxInFlight());
        assertEquals(4096, hr.maxDimension());
        assertEquals(8, hr.maxPools());
        assertEquals(2, hr.formatCount());
        assertEquals(PixelFormat.NV12.fourcc(), hr.format(0));
        assertEquals(PixelFormat.I420.fourcc(), hr.format(1));
        assertEquals("x264", hr.encoder());
        at += hr.length();

        RegisterPoolFlyweight rp = new RegisterPoolFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(rp, true));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkRegisterPool(rp, Hxfr.CAP_POOL_REGION));
        assertEquals(1L << 33, rp.size());
        assertTrue(rp.regionEquals("ivshmem-guest3"));
        at += rp.length();

        PoolResponseFlyweight pr = new PoolResponseFlyweight().wrap(in, at);
        assertEquals(Hxfr.MSG_POOL_RESP, pr.type());
        assertEquals(0x80000001, pr.poolId());
        assertEquals(Hxfr.POOL_KIND_REGION, pr.kind());
        assertEquals(1L << 33, pr.size());
        at += pr.length();

        UnregisterPoolFlyweight up = new UnregisterPoolFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(up, true));
        assertEquals(0x80000001, up.poolId());
        at += up.length();

        FrameRefFlyweight ref = new FrameRefFlyweight().wrap(in, at);
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkHeader(ref, true));
        assertEquals(HxfrDecoder.ACCEPT, decoder.checkFrameRef(ref, (3L << 32) + 2048L * 1080 + 2 * 1024L * 540));
        assertEquals(0x80000001, ref.poolId());
        assertEquals(PixelFormat.I420.fourcc(), ref.format());
        assertEquals(1920, ref.width());
        assertEquals(1080, ref.height());
        assertTrue(ref.forceKeyframe());
        assertEquals(3L << 32, ref.frameOffset());
        assertEquals(2048L * 1080 + 1024L * 540, ref.planeOffset(2));
        assertEquals(1024, ref.stride(2));
        assertEquals(0, ref.stride(3));
        assertEquals(-7, ref.pts());
        assertEquals(16666667, ref.duration());
        at += ref.length();

        assertEquals(in.byteSize(), at, "every byte the C program wrote was accounted for");
    }

    @Test
    void theCProgramReadsEveryMessageJavaWrites() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024);

            new FrameRequestFlyweight().wrap(buf, 0).header(Hxfr.FLAG_PIXEL_DATA, 3, 44 + 12).resourceId(0)
                    .width(1).height(3).format(PixelFormat.BGRA8888.fourcc()).stride(4).pts(-1).duration(33_333_333)
                    .forceKeyframe(false);
            for (int i = 0; i < 12; i++) {
                buf.set(ValueLayout.JAVA_BYTE, 56 + i, (byte) (10 + i));
            }
            emit(wire, buf, 56 + 12);

            new FrameResponseFlyweight().wrap(buf, 0).singleEntry(3, 77, 76, false, 3);
            buf.set(ValueLayout.JAVA_BYTE, 40, (byte) 0xAB);
            buf.set(ValueLayout.JAVA_BYTE, 41, (byte) 0xCD);
            buf.set(ValueLayout.JAVA_BYTE, 42, (byte) 0xEF);
            emit(wire, buf, 43);

            new HeaderFlyweight().wrap(buf, 0).set(Hxfr.MSG_KEYFRAME_REQ, 0, 3, 0);
            emit(wire, buf, 12);

            new ConfigRequestFlyweight().wrap(buf, 0).header(0, 3).width(640).height(360).bitrate(2_500_000)
                    .framerateNum(24000).framerateDen(1001).profile(66).level(31).realtime(true);
            emit(wire, buf, 40);

            new HeaderFlyweight().wrap(buf, 0).set(Hxfr.MSG_PONG, 0, 65535, 0);
            emit(wire, buf, 12);

            new EnableScanoutFlyweight().wrap(buf, 0).header(0, 3).scanoutId(15).width(800).height(600).refreshRate(75);
            emit(wire, buf, 28);

            ScanoutIdFlyweight.disableScanout().wrap(buf, 0).header(0, 3).scanoutId(15);
            emit(wire, buf, 16);

            new ScanoutResponseFlyweight().wrap(buf, 0).header(0, 3).scanoutId(15).success(false)
                    .connectorName("x".repeat(100));
            emit(wire, buf, 84);

            ScanoutIdFlyweight.subscribe().wrap(buf, 0).header(0, 3).scanoutId(1);
            emit(wire, buf, 16);

            new SubscribeResponseFlyweight().wrap(buf, 0).header(0, 1).scanoutId(1).success(true);
            emit(wire, buf, 20);

            new ErrorFlyweight().wrap(buf, 0).set(3, ErrorCode.INTERNAL, "é".repeat(200));
            emit(wire, buf, 272);

            new HelloFlyweight().wrap(buf, 0).header(0, 3).version(1).capabilities(Hxfr.CAP_FRAME_REF);
            emit(wire, buf, 28);

            new HelloResponseFlyweight().wrap(buf, 0).header(0, 3).version(1).capabilities(Hxfr.CAP_POOL_FD)
                    .maxPayload(1 << 20).maxInFlight(2).maxDimension(8192).maxPools(4)
                    .formats(PixelFormat.BGRA8888.fourcc(), PixelFormat.RGBA8888.fourcc(), PixelFormat.NV12.fourcc())
                    .encoder("a-very-long-encoder-name-that-does-not-fit");
            emit(wire, buf, 112);

            new RegisterPoolFlyweight().wrap(buf, 0).header(0, 3).source(Hxfr.POOL_SOURCE_FD).size(123_456_789_012L)
                    .region("");
            emit(wire, buf, 64);

            new PoolResponseFlyweight().wrap(buf, 0).set(3, -2, Hxfr.POOL_KIND_DMABUF, 8_294_400);
            emit(wire, buf, 32);

            new UnregisterPoolFlyweight().wrap(buf, 0).header(0, 3).poolId(-2);
            emit(wire, buf, 20);

            new FrameRefFlyweight().wrap(buf, 0).header(0, 3).poolId(-2).format(PixelFormat.BGRA8888.fourcc())
                    .width(1920).height(1080).refFlags(0).frameOffset(7680L * 1080).clearPlanes().plane(0, 64, 7680)
                    .pts(Long.MAX_VALUE).duration(Long.MIN_VALUE);
            emit(wire, buf, 88);
        }
        String magic = "magic=" + (Hxfr.MAGIC & 0xFFFF_FFFFL);
        String expected = String.join("\n",
                "header " + magic + " type=1 flags=1 session_id=3 payload_size=56",
                "frame_request resource_id=0 width=1 height=3 format=875713089 stride=4 pts=-1 duration=33333333 force_keyframe=0",
                "pixels bytes=12 sum=186",
                "header " + magic + " type=2 flags=0 session_id=3 payload_size=31",
                "frame_response pts=77 dts=76 is_keyframe=0 nal_count=1",
                "nal size=3 bytes=abcdef",
                "header " + magic + " type=3 flags=0 session_id=3 payload_size=0",
                "header " + magic + " type=4 flags=0 session_id=3 payload_size=28",
                "config_request width=640 height=360 bitrate=2500000 framerate_num=24000 framerate_den=1001 profile=66 level=31 realtime=1",
                "header " + magic + " type=17 flags=0 session_id=65535 payload_size=0",
                "header " + magic + " type=32 flags=0 session_id=3 payload_size=16",
                "enable_scanout scanout_id=15 width=800 height=600 refresh_rate=75",
                "header " + magic + " type=33 flags=0 session_id=3 payload_size=4",
                "disable_scanout scanout_id=15",
                "header " + magic + " type=34 flags=0 session_id=3 payload_size=72",
                "scanout_response scanout_id=15 success=0 connector_name=" + "x".repeat(63),
                "header " + magic + " type=48 flags=0 session_id=3 payload_size=4",
                "subscribe scanout_id=1",
                "header " + magic + " type=49 flags=0 session_id=1 payload_size=8",
                "subscribe_response scanout_id=1 success=1",
                "header " + magic + " type=255 flags=0 session_id=3 payload_size=260",
                "error error_code=-99 message=" + "é".repeat(127) + " terminated=1",
                "header " + magic + " type=64 flags=0 session_id=3 payload_size=16",
                "hello version=1 capabilities=4",
                "header " + magic + " type=65 flags=0 session_id=3 payload_size=100",
                "hello_response version=1 capabilities=1 max_payload=1048576 max_in_flight=2 max_dimension=8192"
                        + " max_pools=4 format_count=3 formats=875713089,875708993,842094158,0,0,0,0,0"
                        + " encoder=a-very-long-encoder-name-that-d",
                "header " + magic + " type=66 flags=0 session_id=3 payload_size=52",
                "register_pool source=1 flags=0 size=123456789012 region=",
                "header " + magic + " type=67 flags=0 session_id=3 payload_size=20",
                "pool_response pool_id=4294967294 kind=2 size=8294400",
                "header " + magic + " type=68 flags=0 session_id=3 payload_size=8",
                "unregister_pool pool_id=4294967294",
                "header " + magic + " type=69 flags=0 session_id=3 payload_size=76",
                "frame_ref pool_id=4294967294 format=875713089 width=1920 height=1080 flags=0 offset=8294400"
                        + " planes=64/7680,0/0,0/0,0/0 pts=9223372036854775807 duration=-9223372036854775808",
                "");
        assertEquals(expected, new String(exec(wire.toByteArray(), "read"), StandardCharsets.UTF_8));
    }

    private static void emit(ByteArrayOutputStream wire, MemorySegment buf, int length) {
        wire.writeBytes(buf.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }
}

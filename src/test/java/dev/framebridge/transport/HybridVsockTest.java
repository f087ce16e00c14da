package dev.framebridge.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Firecracker / Cloud Hypervisor hybrid-vsock client handshake, against a fake VMM on a Unix socket. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HybridVsockTest {
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private SocketListener vmm;
    private EchoPeer peer;
    private NativeSocket client;

    @AfterEach
    void closeEverything() throws Exception {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (vmm != null) {
            vmm.close();
        }
        arena.close();
    }

    private Endpoint.HybridVsock fakeVmm(String answer) throws IOException {
        Path uds = dir.resolve("vm.sock");
        vmm = SocketListener.listen(new Endpoint.Unix(uds.toString()), ListenOptions.defaults());
        peer = new EchoPeer(vmm, answer);
        return new Endpoint.HybridVsock(uds.toString(), 5000);
    }

    @Test
    void shouldSendConnectPortAndCarryDataAfterOk() throws Exception {
        Endpoint.HybridVsock h = fakeVmm("OK 1073741824\n");
        client = NativeSocket.connect(h, Duration.ofSeconds(5));
        assertEquals("CONNECT 5000", peer.handshakeRequest);
        assertEquals("hvsock:" + dir.resolve("vm.sock") + ":5000", client.peer());

        byte[] hello = "HXFR after the handshake".getBytes(StandardCharsets.US_ASCII);
        MemorySegment buf = arena.allocate(64);
        MemorySegment.copy(hello, 0, buf, JAVA_BYTE, 0, hello.length);
        assertEquals(hello.length, client.write(buf, 0, hello.length));
        client.shutdownOutput();
        MemorySegment back = arena.allocate(64);
        long got = 0;
        while (true) {
            long n = client.read(back, got, back.byteSize() - got);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                client.awaitReadable(1000);
            }
            got += n;
        }
        assertEquals(new String(hello, StandardCharsets.US_ASCII),
                new String(back.asSlice(0, got).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        peer.join(5000);
    }

    @Test
    void shouldReportAnAnswerOtherThanOk() throws Exception {
        Endpoint.HybridVsock h = fakeVmm("ERR no such port\n");
        IOException e = assertThrows(IOException.class, () -> NativeSocket.connect(h, Duration.ofSeconds(5)));
        assertEquals(h + ": the VMM answered \"ERR no such port\" to \"CONNECT 5000\" instead of \"OK <port>\" — is "
                + h.udsPath() + " a Firecracker / Cloud Hypervisor vsock socket, and is the guest listening on port 5000?",
                e.getMessage());
        peer.join(5000);
    }

    @Test
    void shouldReportAVmmThatHangsUpWithoutAnswering() throws Exception {
        Endpoint.HybridVsock h = fakeVmm("");
        IOException e = assertThrows(IOException.class, () -> NativeSocket.connect(h, Duration.ofSeconds(5)));
        assertEquals(h + ": the VMM closed the connection instead of answering \"CONNECT 5000\" — nothing in the guest"
                + " listens on vsock port 5000, or " + h.udsPath() + " is not the VMM's vsock socket", e.getMessage());
    }

    @Test
    void shouldTimeOutWhenTheVmmNeverAnswers() throws Exception {
        Path uds = dir.resolve("silent.sock");
        vmm = SocketListener.listen(new Endpoint.Unix(uds.toString()), ListenOptions.defaults());
        Endpoint.HybridVsock h = new Endpoint.HybridVsock(uds.toString(), 5000);
        IOException e = assertThrows(IOException.class, () -> NativeSocket.connect(h, Duration.ofMillis(300)));
        assertEquals("connect(" + h + "): Connection timed out (ETIMEDOUT) — no answer to \"CONNECT 5000\" within 300 ms"
                + " — is the guest up and listening on vsock port 5000?", e.getMessage());
    }
}

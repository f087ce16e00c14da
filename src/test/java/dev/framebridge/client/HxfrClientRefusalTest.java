package dev.framebridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.ffi.LibC;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.ErrorFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A host that refuses a connection (vsock CID allow-list, server full) writes an ERROR and hangs up, usually before
 * the client's first send: the send then fails with EPIPE, and the client reports the host's reason instead.
 */
class HxfrClientRefusalTest {

    @Test
    void aSendToAHostThatLeftAnErrorAndClosedReportsTheHostsReason() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try (Arena arena = Arena.ofConfined(); HxfrClient client = HxfrClient.over(pair[0], Duration.ofSeconds(5))) {
            MemorySegment error = arena.allocate(ErrorFlyweight.LENGTH);
            new ErrorFlyweight().wrap(error, 0).set(1, ErrorCode.INTERNAL, "refused: CID 1 is not allowed");
            assertEquals(ErrorFlyweight.LENGTH, pair[1].write(error, 0, ErrorFlyweight.LENGTH));
            pair[1].close();

            HostRefusedException e = assertThrows(HostRefusedException.class, () -> client.sendHeaderOnly(Hxfr.MSG_PING));
            assertEquals(ErrorCode.INTERNAL, e.errorCode());
            assertEquals("refused: CID 1 is not allowed", e.hostMessage());
            assertTrue(e.getMessage().contains("refused: CID 1 is not allowed"), e.getMessage());
            assertEquals(LibC.EPIPE, ((ErrnoException) e.getCause()).errno());
        }
    }

    @Test
    void aSendToAHostThatClosedSilentlyIsStillABrokenPipe() throws Exception {
        NativeSocket[] pair = NativeSocket.pair();
        try (HxfrClient client = HxfrClient.over(pair[0], Duration.ofSeconds(5))) {
            pair[1].close();
            ErrnoException e = assertThrows(ErrnoException.class, () -> client.sendHeaderOnly(Hxfr.MSG_PING));
            assertEquals(LibC.EPIPE, e.errno());
        }
    }
}

package dev.framebridge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocketAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"::1", "::", "fe80::1", "2001:db8::8:800:200c:417a", "2001:db8:0:1:1:1:1:1",
        "1::", "2001:0:0:1::1", "1:2:3:4:5:6:7:8"})
    void shouldWriteIpv6InRfc5952Form(String text) throws Exception {
        assertEquals(text, SocketAddresses.ipv6Text(InetAddress.getByName(text).getAddress()));
    }
}

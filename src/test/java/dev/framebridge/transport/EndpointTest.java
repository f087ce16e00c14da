package dev.framebridge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.ffi.Vsock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @Test
    void shouldParseVsockWithNamedAndNumericCids() {
        assertEquals(new Endpoint.Vsock(Vsock.VMADDR_CID_ANY, 5000), Endpoint.parse("vsock:any:5000"));
        assertEquals(new Endpoint.Vsock(Vsock.VMADDR_CID_HOST, 5000), Endpoint.parse("vsock:host:5000"));
        assertEquals(new Endpoint.Vsock(Vsock.VMADDR_CID_LOCAL, 5000), Endpoint.parse("vsock:local:5000"));
        assertEquals(new Endpoint.Vsock(2, 5000), Endpoint.parse("vsock:2:5000"));
        assertEquals(new Endpoint.Vsock(3, 1234), Endpoint.parse("vsock:3:1234"));
        assertEquals(new Endpoint.Vsock((int) 4294967294L, (int) 4294967294L), Endpoint.parse("vsock:4294967294:4294967294"));
        assertEquals(new Endpoint.Vsock(Vsock.VMADDR_CID_ANY, Vsock.VMADDR_PORT_ANY), Endpoint.parse("vsock:any:any"));
    }

    @Test
    void shouldParseTcpHostsAndPorts() {
        assertEquals(new Endpoint.Tcp("127.0.0.1", 15937), Endpoint.parse("tcp:127.0.0.1:15937"));
        assertEquals(new Endpoint.Tcp("localhost", 0), Endpoint.parse("tcp:localhost:0"));
        assertEquals(new Endpoint.Tcp("::1", 65535), Endpoint.parse("tcp:[::1]:65535"));
        assertEquals(new Endpoint.Tcp("encoder.example", 80), Endpoint.parse("tcp:encoder.example:80"));
    }

    @Test
    void shouldParseUnixAndHybridVsockPaths() {
        assertEquals(new Endpoint.Unix("/run/framebridge.sock"), Endpoint.parse("unix:/run/framebridge.sock"));
        assertEquals(new Endpoint.Unix("relative/a:b.sock"), Endpoint.parse("unix:relative/a:b.sock"));
        Endpoint.HybridVsock h = (Endpoint.HybridVsock) Endpoint.parse("hvsock:/srv/fc/v.sock:5000");
        assertEquals(new Endpoint.HybridVsock("/srv/fc/v.sock", 5000), h);
        assertEquals("/srv/fc/v.sock_5000", h.listenPath());
    }

    @ParameterizedTest
    @CsvSource({
        "vsock:any:5000, vsock:any:5000",
        "vsock:2:5000, vsock:host:5000",
        "vsock:1:7, vsock:local:7",
        "vsock:3:1234, vsock:3:1234",
        "vsock:4294967295:any, vsock:any:any",
        "tcp:127.0.0.1:15937, tcp:127.0.0.1:15937",
        "tcp:[::1]:80, tcp:[::1]:80",
        "unix:/tmp/x.sock, unix:/tmp/x.sock",
        "hvsock:/tmp/v.sock:5000, hvsock:/tmp/v.sock:5000",
    })
    void toStringShouldGiveBackTheTextForm(String text, String canonical) {
        Endpoint e = Endpoint.parse(text);
        assertEquals(canonical, e.toString());
        assertEquals(e, Endpoint.parse(e.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                       | it is empty",
        "nonsense                 | no scheme (expected vsock:, tcp:, unix: or hvsock:)",
        "udp:1.2.3.4:5            | unknown scheme \"udp\"",
        "vsock:5000               | vsock needs CID:PORT",
        "vsock:x:5000             | CID \"x\" is not any, host, local or a number 0-4294967295",
        "vsock:4294967296:5000    | CID \"4294967296\" is not any, host, local or a number 0-4294967295",
        "vsock:3:                 | the port is missing (expected a number 0-4294967294 or any)",
        "vsock:3:-1               | port \"-1\" is not a number 0-4294967294 or any",
        "vsock:3:4294967295       | port \"4294967295\" is not a number 0-4294967294 or any",
        "tcp:15937                | tcp needs HOST:PORT",
        "tcp::15937               | the host is empty (use 127.0.0.1 for loopback)",
        "tcp:127.0.0.1:65536      | port \"65536\" is not a number 0-65535",
        "tcp:127.0.0.1:http       | port \"http\" is not a number 0-65535",
        "tcp:1.2.3.256:1          | host \"1.2.3.256\" is not an IPv4 address (four numbers 0-255)",
        "tcp:1.2.3:1              | host \"1.2.3\" is not an IPv4 address (four numbers 0-255)",
        "tcp:::1:80               | host \"::1\" looks like IPv6; put it in brackets: tcp:[::1]:PORT",
        "tcp:[::1]80              | an IPv6 host is written [ADDRESS]:PORT, e.g. tcp:[::1]:15937",
        "tcp:[zz]:80              | host \"[zz]\" is not an IPv6 address",
        "tcp:ho st:80             | host \"ho st\" is not an address or host name",
        "unix:                    | the socket path is empty",
        "hvsock:/tmp/v.sock       | hvsock needs UDS_PATH:PORT",
        "hvsock:/tmp/v.sock:abc   | port \"abc\" is not a number 0-4294967294",
        "hvsock::5000             | the socket path is empty",
    })
    void shouldNameTheBadPartAndListTheAcceptedForms(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text));
        assertEquals("bad endpoint \"" + text + "\": " + problem + "; accepted forms: " + Endpoint.ACCEPTED_FORMS,
                e.getMessage());
    }

    @Test
    void shouldRejectUnixPathsThatDoNotFitSockaddrUn() {
        String path = "/" + "p".repeat(107);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("unix:" + path));
        assertTrue(e.getMessage().contains("the socket path is 108 bytes but at most 107 fit in sockaddr_un"), e.getMessage());
        assertEquals(new Endpoint.Unix(path.substring(1)), Endpoint.parse("unix:" + path.substring(1)));
    }
}

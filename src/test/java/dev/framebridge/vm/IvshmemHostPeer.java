package dev.framebridge.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The host side of the ivshmem scenario, started by src/test/vm/run before QEMU: listens on the Unix socket QEMU's
 * virtio-serial chardev connects to, maps the file behind the guest's ivshmem BAR2, and answers each
 * {@code frame N OFFSET LENGTH CRC} line with the CRC32C of those bytes as this process sees them
 * ({@code seen N CRC}). Its own verdict (PASS/FAIL and facts) goes to the file named by the third argument.
 * Arguments: SOCKET SHM_FILE RESULT_FILE.
 */
public final class IvshmemHostPeer {
    private IvshmemHostPeer() {
    }

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        Path shm = Path.of(args[1]);
        Path result = Path.of(args[2]);
        Files.deleteIfExists(socket);
        int frames = 0;
        int matched = 0;
        String firstMismatch = null;
        boolean done = false;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Arena arena = Arena.ofShared();
             FileChannel file = FileChannel.open(shm, StandardOpenOption.READ)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            MemorySegment region = file.map(FileChannel.MapMode.READ_ONLY, 0, file.size(), arena);
            try (SocketChannel qemu = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(qemu),
                        StandardCharsets.US_ASCII));
                OutputStream out = Channels.newOutputStream(qemu);
                CRC32C crc = new CRC32C();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("done")) {
                        done = true;
                        break;
                    }
                    String[] f = line.split(" ");
                    if (f.length != 5 || !f[0].equals("frame")) {
                        firstMismatch = "unexpected line from the guest: " + line;
                        break;
                    }
                    long offset = Long.parseLong(f[2]);
                    long length = Long.parseLong(f[3]);
                    crc.reset();
                    crc.update(region.asSlice(offset, length).asByteBuffer());
                    String seen = String.format(Locale.ROOT, "%08x", crc.getValue());
                    frames++;
                    if (seen.equals(f[4])) {
                        matched++;
                    } else if (firstMismatch == null) {
                        firstMismatch = "frame " + f[1] + ": guest wrote CRC32C " + f[4] + ", host read " + seen;
                    }
                    out.write(("seen " + f[1] + " " + seen + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } finally {
            String verdict;
            if (firstMismatch != null) {
                verdict = "FAIL: " + firstMismatch;
            } else if (!done) {
                verdict = "FAIL: the guest hung up after " + frames + " frame(s) without saying done";
            } else if (frames == 0) {
                verdict = "FAIL: the guest checked no frames";
            } else {
                verdict = "PASS";
            }
            Files.writeString(result, verdict + "\nframes_checked=" + frames + "\nframes_matched=" + matched + "\n");
            Files.deleteIfExists(socket);
        }
    }
}

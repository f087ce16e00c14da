package dev.framebridge.qemu;

import dev.framebridge.dbus.DBus;
import dev.framebridge.dbus.DBusConnection;
import dev.framebridge.dbus.DBusMessage;
import dev.framebridge.dbus.DBusProtocolException;
import dev.framebridge.dbus.DBusReader;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An unmodified QEMU's D-Bus display ({@code -display dbus,p2p=yes}), attached peer to peer through its QMP socket:
 * a socketpair's end goes to QEMU with {@code getfd} + {@code add_client protocol=@dbus-display}, QEMU serves
 * {@code /org/qemu/Display1/...} on it; the VM's {@code ConsoleIDs} name the consoles, and each gets a listener
 * (another socketpair end, passed with {@code RegisterListener(h)}) whose thread lands the console's pixels in its
 * {@link ConsoleFrame}. Interface: QEMU 7.2's ui/dbus-display1.xml.
 */
public final class QemuDisplay implements AutoCloseable {
    static final String VM_PATH = "/org/qemu/Display1/VM";
    static final String VM_INTERFACE = "org.qemu.Display1.VM";
    static final String CONSOLE_INTERFACE = "org.qemu.Display1.Console";
    static final String QEMU_BUS_NAME = "org.qemu";
    private static final long CALL_TIMEOUT_MS = 10_000;
    private static final AtomicInteger FD_NAMES = new AtomicInteger();

    private final DBusConnection connection;
    /** QEMU's bus name on a bus ({@code org.qemu}); null peer to peer. */
    private final String destination;
    private final List<ConsoleFrame> frames = new ArrayList<>();
    private final List<ConsoleListener> listeners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Consumer<String> log;
    private volatile boolean running = true;
    private volatile long reregistrations;
    private Thread keeper;
    /** Per console slot, when its listener was last registered again (at most once a second each). */
    private long[] lastRegistered = new long[0];
    private static final long REREGISTER_INTERVAL_NS = 1_000_000_000L;
    /** Head sizes asked for (ENABLE_SCANOUT/DISABLE_SCANOUT) that the keeper thread passes to QEMU with SetUIInfo. */
    private final java.util.concurrent.ConcurrentLinkedQueue<int[]> headRequests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong headsSet = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong headsRefused = new java.util.concurrent.atomic.AtomicLong();

    private QemuDisplay(DBusConnection connection, String destination, Consumer<String> log) {
        this.connection = connection;
        this.destination = destination;
        this.log = log;
    }

    /**
     * Attaches by address: {@code unix:path=BUS} (a D-Bus bus address, QEMU with {@code -display dbus,addr=...}) or the
     * path of QEMU's QMP socket (peer to peer, QEMU with {@code -display dbus,p2p=yes}).
     */
    public static QemuDisplay attach(String address, Consumer<String> log) throws IOException {
        if (address.startsWith("unix:path=")) {
            String path = address.substring("unix:path=".length());
            int comma = path.indexOf(',');
            return attachBus(comma < 0 ? path : path.substring(0, comma), log);
        }
        if (address.contains("=")) {
            throw new IOException("--qemu-display " + address + " is neither a QMP socket path nor a bus address of the"
                    + " form unix:path=BUS (abstract and TCP bus addresses are not supported)");
        }
        return attachP2p(address.startsWith("unix:") ? address.substring("unix:".length()) : address, log);
    }

    /** Attaches through QEMU's QMP socket and registers a listener on every console. */
    public static QemuDisplay attachP2p(String qmpPath, Consumer<String> log) throws IOException {
        NativeSocket[] pair = NativeSocket.pair();
        DBusConnection connection = new DBusConnection(pair[0], "qemu-display(" + qmpPath + ")");
        QemuDisplay display = new QemuDisplay(connection, null, log);
        try {
            try (QmpClient qmp = QmpClient.connect(qmpPath, Duration.ofMillis(CALL_TIMEOUT_MS))) {
                String fdName = "framebridge-dbus-" + ProcessHandle.current().pid() + "-" + FD_NAMES.incrementAndGet();
                qmp.getfd(fdName, pair[1].fd());
                pair[1].close(); // QEMU holds its own copy now
                qmp.addDbusDisplayClient(fdName);
            }
            connection.authenticate(CALL_TIMEOUT_MS);
            if (!connection.unixFdsAgreed()) {
                throw new DBusProtocolException("QEMU's D-Bus display did not agree to pass fds; RegisterListener "
                        + "needs them");
            }
            for (int id : display.consoleIds()) {
                display.listen(id);
            }
            display.startKeeper();
            return display;
        } catch (IOException | RuntimeException e) {
            pair[1].close();
            display.close();
            throw e;
        }
    }

    /**
     * Attaches through a private D-Bus bus QEMU joined with {@code -display dbus,addr=unix:path=BUS} (QEMU owns
     * {@code org.qemu} there); the listeners are still peer-to-peer sockets of their own.
     */
    public static QemuDisplay attachBus(String busPath, Consumer<String> log) throws IOException {
        NativeSocket socket;
        try {
            socket = NativeSocket.connect(new Endpoint.Unix(busPath), Duration.ofMillis(CALL_TIMEOUT_MS));
        } catch (IOException e) {
            throw new IOException("cannot connect to the D-Bus bus " + busPath + " (" + e.getMessage() + "): start "
                    + "dbus-daemon --session --address=unix:path=" + busPath + " and QEMU with -display dbus,addr=unix:path="
                    + busPath, e);
        }
        DBusConnection connection = new DBusConnection(socket, "qemu-display(" + busPath + ")");
        QemuDisplay display = new QemuDisplay(connection, QEMU_BUS_NAME, log);
        try {
            connection.authenticate(CALL_TIMEOUT_MS);
            if (!connection.unixFdsAgreed()) {
                throw new DBusProtocolException("the bus at " + busPath + " does not pass fds; RegisterListener needs them");
            }
            int serial = connection.nextSerial();
            connection.writer().methodCall(serial, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "Hello", null, 0);
            connection.send(CALL_TIMEOUT_MS);
            connection.awaitReply(serial, "Hello", CALL_TIMEOUT_MS, m -> { });
            for (int id : display.consoleIds()) {
                display.listen(id);
            }
            display.startKeeper();
            return display;
        } catch (IOException | RuntimeException e) {
            display.close();
            throw e;
        }
    }

    /** {@code org.qemu.Display1.VM.ConsoleIDs} (au), read with Properties.Get. */
    int[] consoleIds() throws IOException {
        int serial = connection.nextSerial();
        connection.writer().methodCall(serial, 0, destination, VM_PATH, DBus.PROPERTIES, "Get", "ss", 0)
                .writeString(VM_INTERFACE).writeString("ConsoleIDs");
        connection.send(CALL_TIMEOUT_MS);
        DBusMessage reply = connection.awaitReply(serial, "Get(" + VM_INTERFACE + ".ConsoleIDs)", CALL_TIMEOUT_MS, null);
        DBusReader r = reply.body();
        String type = r.readSignature();
        if (!type.equals("au")) {
            throw new DBusProtocolException("ConsoleIDs is '" + type + "', expected 'au' (QEMU 7.2's interface)");
        }
        long end = r.readArrayEnd(4);
        int[] ids = new int[(int) ((end - r.position()) / 4)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.readUint32();
        }
        return ids;
    }

    private void listen(int id) throws IOException {
        ConsoleFrame frame = new ConsoleFrame(id);
        frames.add(frame);
        listeners.add(null);
        threads.add(null);
        register(frames.size() - 1);
    }

    /** Registers a fresh listener for console slot {@code index}; QEMU answers it with a full Scanout. */
    private void register(int index) throws IOException {
        ConsoleFrame frame = frames.get(index);
        int id = frame.console();
        NativeSocket[] pair = NativeSocket.pair();
        ConsoleListener listener = new ConsoleListener(
                new DBusConnection(pair[0], "qemu-console-" + id + "-listener"), frame, log);
        Thread thread = Thread.ofPlatform().name("qemu-console-" + id).daemon().start(listener);
        listeners.set(index, listener);
        threads.set(index, thread);
        try {
            // QEMU authenticates the listener socket inside RegisterListener, so the listener thread is already
            // running to answer it while this thread waits for the reply
            int serial = connection.nextSerial();
            connection.writer().methodCall(serial, 0, destination, "/org/qemu/Display1/Console_" + id, CONSOLE_INTERFACE,
                    "RegisterListener", "h", 1).writeFdIndex(0);
            connection.sendWithFds(new int[] {pair[1].fd()}, 1, CALL_TIMEOUT_MS);
            connection.awaitReply(serial, "RegisterListener on console " + id, CALL_TIMEOUT_MS, null);
        } finally {
            pair[1].close();
        }
    }

    /** Starts the thread that keeps the attachment: drains QEMU's messages, re-registers listeners when needed. */
    private void startKeeper() {
        lastRegistered = new long[frames.size()];
        java.util.Arrays.fill(lastRegistered, System.nanoTime() - REREGISTER_INTERVAL_NS - 1);
        keeper = Thread.ofPlatform().name("qemu-display").daemon().start(this::keep);
    }

    private void keep() {
        try {
            while (running) {
                connection.receive(50); // signals QEMU may send; anything that wants a reply gets UnknownMethod
                for (int[] head; (head = headRequests.poll()) != null && running; ) {
                    setUiInfo(head[0], head[1], head[2]);
                }
                for (int i = 0; i < listeners.size() && running; i++) {
                    ConsoleListener l = listeners.get(i);
                    long now = System.nanoTime();
                    if (l.wantsScanout() && l.running() && now - lastRegistered[i] > REREGISTER_INTERVAL_NS) {
                        lastRegistered[i] = now;
                        l.retire();
                        threads.get(i).join(1_000);
                        reregistrations++;
                        registerAgain(i);
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                log.accept("QEMU display connection ended: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * On a bus QEMU 7.2 keys listeners by the caller's bus name and refuses a second one until it has seen the
     * retired listener's socket close, so a refusal is retried a few times.
     */
    private void registerAgain(int index) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                register(index);
                return;
            } catch (dev.framebridge.dbus.DBusErrorException e) {
                if (destination == null || attempt == 5) {
                    throw e;
                }
                Thread.sleep(100L * attempt);
            }
        }
    }

    /**
     * Asks QEMU for a head of {@code width} x {@code height} on console {@code console} ({@code SetUIInfo}: the guest's
     * driver sees a connector with that preferred mode; 0 x 0 takes the head away). Sent by the keeper thread within
     * ~50 ms; QEMU's refusal (a display device without UI info, such as -vga std) is logged and counted.
     *
     * @return false when there is no such console
     */
    public boolean requestHead(int console, int width, int height) {
        if (frame(console) == null || !running) {
            return false;
        }
        headRequests.add(new int[] {console, width, height});
        return true;
    }

    private void setUiInfo(int console, int width, int height) throws IOException {
        int serial = connection.nextSerial();
        // qqiiuu: width_mm, height_mm, xoff, yoff, width, height; ~96 dpi for the physical size
        connection.writer().methodCall(serial, 0, destination, "/org/qemu/Display1/Console_" + console,
                        CONSOLE_INTERFACE, "SetUIInfo", "qqiiuu", 0)
                .writeUint16(width * 254 / 960).writeUint16(height * 254 / 960).writeInt32(0).writeInt32(0)
                .writeUint32(width).writeUint32(height);
        connection.send(CALL_TIMEOUT_MS);
        try {
            connection.awaitReply(serial, "SetUIInfo " + width + "x" + height + " on console " + console,
                    CALL_TIMEOUT_MS, null);
            headsSet.incrementAndGet();
            log.accept("console " + console + ": asked the guest for a " + width + "x" + height + " head (SetUIInfo)");
        } catch (dev.framebridge.dbus.DBusErrorException e) {
            headsRefused.incrementAndGet();
            log.accept("console " + console + ": QEMU refused the head size: " + e.getMessage() + " (its display device"
                    + " takes no UI info: give the VM -device virtio-vga or virtio-gpu-pci)");
        }
    }

    /** SetUIInfo calls QEMU accepted, and refused. */
    public long headsSet() {
        return headsSet.get();
    }

    public long headsRefused() {
        return headsRefused.get();
    }

    /** Whether the connection to QEMU still stands. */
    public boolean attached() {
        return running && keeper != null && keeper.isAlive();
    }

    /** How often a console's listener was registered again to learn a surface QEMU 7.2 switched silently. */
    public long reregistrations() {
        return reregistrations;
    }

    public List<ConsoleFrame> frames() {
        return frames;
    }

    public List<ConsoleListener> listeners() {
        return listeners;
    }

    /** The console with this id, or null. */
    public ConsoleFrame frame(int console) {
        for (ConsoleFrame f : frames) {
            if (f.console() == console) {
                return f;
            }
        }
        return null;
    }

    @Override
    public void close() {
        running = false;
        try {
            if (keeper != null) {
                keeper.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ConsoleListener l : listeners) {
            if (l != null) {
                l.stop();
            }
        }
        for (Thread t : threads) {
            try {
                if (t != null) {
                    t.join(2_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ConsoleFrame f : frames) {
            f.release();
        }
        connection.close();
    }
}

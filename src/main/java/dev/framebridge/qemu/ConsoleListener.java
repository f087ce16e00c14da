package dev.framebridge.qemu;

import dev.framebridge.dbus.DBus;
import dev.framebridge.dbus.DBusConnection;
import dev.framebridge.dbus.DBusMessage;
import dev.framebridge.dbus.DBusPeerClosedException;
import dev.framebridge.dbus.DBusReader;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Serves {@code /org/qemu/Display1/Listener} on the socket QEMU got with RegisterListener: QEMU is the D-Bus server
 * there, this is the client that authenticates, then answers QEMU's calls. Scanout and Update land in the console's
 * {@link ConsoleFrame} in the order they arrive (one thread, so an Update never overtakes its Scanout);
 * ScanoutDMABUF (QEMU with gl=on) cannot be read without a GPU here and is logged once and ignored; Disable marks the
 * console blank. Comparisons are on bytes, so a frame costs no allocation beyond the receive buffer's growth.
 */
public final class ConsoleListener implements Runnable {
    static final String PATH = "/org/qemu/Display1/Listener";
    private static final byte[] SCANOUT = bytes("Scanout");
    private static final byte[] UPDATE = bytes("Update");
    private static final byte[] SCANOUT_DMABUF = bytes("ScanoutDMABUF");
    private static final byte[] UPDATE_DMABUF = bytes("UpdateDMABUF");
    private static final byte[] DISABLE = bytes("Disable");
    private static final byte[] MOUSE_SET = bytes("MouseSet");
    private static final byte[] CURSOR_DEFINE = bytes("CursorDefine");
    private static final byte[] GET_ALL = bytes("GetAll");
    private static final byte[] PROPERTIES = bytes(DBus.PROPERTIES);
    private static final byte[] SIG_SCANOUT = bytes("uuuuay");
    private static final byte[] SIG_UPDATE = bytes("iiiiuuay");

    private final DBusConnection connection;
    private final ConsoleFrame frame;
    private final Consumer<String> log;
    private final Errno errno = new Errno();
    private volatile boolean running = true;
    private volatile boolean authenticated;
    private volatile boolean retired;
    private volatile boolean wantsScanout;
    private volatile IOException failure;
    private boolean dmabufLogged;
    private long refusedLogged;

    public ConsoleListener(DBusConnection connection, ConsoleFrame frame, Consumer<String> log) {
        this.connection = connection;
        this.frame = frame;
        this.log = log;
    }

    @Override
    public void run() {
        try {
            connection.authenticate(10_000);
            authenticated = true;
            while (running) {
                DBusMessage m = connection.receive(100);
                if (m != null) {
                    dispatch(m);
                }
            }
        } catch (DBusPeerClosedException e) {
            if (running && !retired) {
                log.accept("console " + frame.console() + ": QEMU closed the display listener (did the VM quit?)");
                failure = e;
            }
        } catch (IOException | RuntimeException e) {
            if (retired) {
                return;
            }
            log.accept("console " + frame.console() + ": display listener stopped: " + e.getMessage());
            failure = e instanceof IOException io ? io : new IOException(e);
        } finally {
            running = false;
            if (failure != null) {
                frame.end(failure instanceof DBusPeerClosedException
                        ? "QEMU closed console " + frame.console() + "'s display listener (did the VM quit?)"
                        : "console " + frame.console() + "'s display listener failed: " + failure.getMessage());
            } else if (!retired) {
                frame.disable();
            }
            connection.close();
        }
    }

    private void dispatch(DBusMessage m) throws IOException {
        if (m.type() != DBus.METHOD_CALL) {
            return;
        }
        if (m.memberIs(SCANOUT) && m.signatureIs(SIG_SCANOUT)) {
            DBusReader r = m.body();
            int width = r.readUint32();
            int height = r.readUint32();
            int stride = r.readUint32();
            int format = r.readUint32();
            MemorySegment data = r.readByteArray();
            if (!frame.scanout(width, height, stride, format, data)) {
                logRefusal();
            }
            connection.answerEmpty(m);
        } else if (m.memberIs(UPDATE) && m.signatureIs(SIG_UPDATE)) {
            DBusReader r = m.body();
            int x = r.readInt32();
            int y = r.readInt32();
            int w = r.readInt32();
            int h = r.readInt32();
            int stride = r.readUint32();
            int format = r.readUint32();
            MemorySegment data = r.readByteArray();
            int applied = frame.update(x, y, w, h, stride, format, data);
            if (applied == ConsoleFrame.OUTSIDE) {
                wantsScanout = true; // the display re-registers this console's listener: QEMU answers with a Scanout
            } else if (applied == ConsoleFrame.REFUSED) {
                logRefusal();
            }
            connection.answerEmpty(m);
        } else if (m.memberIs(SCANOUT_DMABUF)) {
            int fd = m.takeFd(0);
            if (fd >= 0) {
                LibC.close(errno, fd);
            }
            if (!dmabufLogged) {
                dmabufLogged = true;
                log.accept("console " + frame.console() + ": QEMU sends DMA-BUF scanouts (gl=on), which need a GPU"
                        + " this listener cannot use: start QEMU with -display dbus,gl=off");
            }
            frame.disable();
            connection.answerEmpty(m);
        } else if (m.memberIs(DISABLE)) {
            frame.disable();
            connection.answerEmpty(m);
        } else if (m.memberIs(UPDATE_DMABUF) || m.memberIs(MOUSE_SET) || m.memberIs(CURSOR_DEFINE)) {
            connection.answerEmpty(m);
        } else if (m.interfaceIs(PROPERTIES) && m.memberIs(GET_ALL)) {
            // QEMU's generated proxy loads the listener's properties when it is created: it has none
            connection.writer().methodReturn(connection.nextSerial(), m.serial(), m.sender(), "a{sv}");
            connection.writer().endArray(connection.writer().beginArray(8));
            connection.send(5_000);
        } else {
            connection.answerUnknown(m);
        }
    }

    private void logRefusal() {
        long refused = frame.refused();
        if (refused == 1 || refused - refusedLogged >= 100) {
            refusedLogged = refused;
            log.accept("console " + frame.console() + ": ignored " + frame.lastRefusal() + " (" + refused
                    + " ignored so far)");
        }
    }

    public boolean authenticated() {
        return authenticated;
    }

    public boolean running() {
        return running;
    }

    /** Why it stopped, when QEMU went away or sent what it cannot read; null otherwise. */
    public IOException failure() {
        return failure;
    }

    /** Whether an Update showed that QEMU changed the surface without a Scanout (QEMU 7.2). */
    public boolean wantsScanout() {
        return wantsScanout;
    }

    /** Stops without blanking the console: a new listener takes over (re-registered for a fresh Scanout). */
    public void retire() {
        retired = true;
        running = false;
    }

    /** Asks the thread to stop; it closes the connection within ~100 ms. */
    public void stop() {
        running = false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

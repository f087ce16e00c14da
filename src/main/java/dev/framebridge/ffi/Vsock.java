package dev.framebridge.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code <linux/vm_sockets.h>}: the AF_VSOCK address family, checked against
 * {@code native-build/probes/vsock.c} by {@code LibCLayoutTest}. The socket calls themselves are in {@link LibC}.
 */
public final class Vsock {
    private Vsock() {
    }

    public static final int AF_VSOCK = 40;
    /** {@code -1U}: bind to any local CID (the listening side). */
    public static final int VMADDR_CID_ANY = -1;
    public static final int VMADDR_CID_HYPERVISOR = 0;
    /** Loopback inside one machine (needs the vsock_loopback transport). */
    public static final int VMADDR_CID_LOCAL = 1;
    /** The host, as seen from a guest. */
    public static final int VMADDR_CID_HOST = 2;
    /** {@code -1U}: let the kernel pick a port. */
    public static final int VMADDR_PORT_ANY = -1;
    /** Socket options at level {@link #AF_VSOCK}, unsigned 64-bit values: the receive buffer the peer may fill … */
    public static final int SO_VM_SOCKETS_BUFFER_SIZE = 0;
    /** … and its ceiling (the kernel's default ceiling is 256 KiB). */
    public static final int SO_VM_SOCKETS_BUFFER_MAX_SIZE = 2;

    /*
     * struct sockaddr_vm { sa_family_t svm_family; unsigned short svm_reserved1; unsigned int svm_port;
     *                      unsigned int svm_cid; __u8 svm_flags; unsigned char svm_zero[3]; }   16 bytes
     * Host byte order throughout (unlike sockaddr_in).
     */
    public static final StructLayout sockaddr_vm = MemoryLayout.structLayout(
            JAVA_SHORT.withName("svm_family"),
            JAVA_SHORT.withName("svm_reserved1"),
            JAVA_INT.withName("svm_port"),
            JAVA_INT.withName("svm_cid"),
            JAVA_BYTE.withName("svm_flags"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("svm_zero")
    ).withName("sockaddr_vm");
    public static final long SVM_FAMILY = sockaddr_vm.byteOffset(groupElement("svm_family"));
    public static final long SVM_PORT = sockaddr_vm.byteOffset(groupElement("svm_port"));
    public static final long SVM_CID = sockaddr_vm.byteOffset(groupElement("svm_cid"));
}

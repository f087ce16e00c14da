/* Facts of <linux/vm_sockets.h>, for dev.framebridge.ffi.Vsock.
 * Build: cc -I native-build native-build/probes/vsock.c */
#include "probe.h"
#include <sys/socket.h>
#include <linux/vm_sockets.h>

int main(void) {
    CONST(AF_VSOCK);
    CONST(VMADDR_CID_ANY);
    CONST(VMADDR_CID_HYPERVISOR);
    CONST(VMADDR_CID_LOCAL);
    CONST(VMADDR_CID_HOST);
    CONST(VMADDR_PORT_ANY);
    CONST(SO_VM_SOCKETS_BUFFER_SIZE);
    CONST(SO_VM_SOCKETS_BUFFER_MAX_SIZE);

    SIZE(struct sockaddr_vm, "sockaddr_vm");
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_family);
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_reserved1);
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_port);
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_cid);
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_flags);
    FIELD(struct sockaddr_vm, "sockaddr_vm", svm_zero);
    return 0;
}

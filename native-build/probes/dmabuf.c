/* Facts of <linux/dma-buf.h>, for dev.framebridge.ffi.DmaBuf.
 * Build: cc -I native-build native-build/probes/dmabuf.c */
#include "probe.h"
#include <linux/dma-buf.h>

int main(void) {
    CONST(DMA_BUF_SYNC_READ);
    CONST(DMA_BUF_SYNC_WRITE);
    CONST(DMA_BUF_SYNC_RW);
    CONST(DMA_BUF_SYNC_START);
    CONST(DMA_BUF_SYNC_END);
    CONST(DMA_BUF_IOCTL_SYNC);

    SIZE(struct dma_buf_sync, "dma_buf_sync");
    FIELD(struct dma_buf_sync, "dma_buf_sync", flags);
    return 0;
}

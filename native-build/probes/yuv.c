/*
 * Symbols of libyuv that dev.framebridge.ffi.LibYuv binds. Build: cc -I native-build yuv.c -lyuv
 *
 * Each function is assigned to a pointer of exactly the C type the Java FunctionDescriptor mirrors, so
 * a changed signature fails to compile (-Werror) and a renamed or removed symbol fails to link. The
 * probe prints "libyuv.symbol.NAME 1" for each, and LibYuvProbeTest checks that the Java binding binds
 * exactly this list.
 */
#include <stdint.h>
#include "probe.h"
#include <libyuv.h>

typedef int (*rgb_to_nv12_fn)(const uint8_t *, int, uint8_t *, int, uint8_t *, int, int, int);
typedef int (*rgb_to_i420_fn)(const uint8_t *, int, uint8_t *, int, uint8_t *, int, uint8_t *, int, int, int);
typedef int (*i420_to_rgb_fn)(const uint8_t *, int, const uint8_t *, int, const uint8_t *, int, uint8_t *, int, int, int);

#define SYMBOL(type, fn) \
    do { \
        type volatile p = fn; \
        printf("libyuv.symbol.%s %d\n", #fn, p != 0); \
    } while (0)

int main(void) {
    SYMBOL(rgb_to_nv12_fn, ARGBToNV12);
    SYMBOL(rgb_to_nv12_fn, ABGRToNV12);
    SYMBOL(rgb_to_i420_fn, ARGBToI420);
    SYMBOL(rgb_to_i420_fn, ABGRToI420);
    SYMBOL(i420_to_rgb_fn, I420ToARGB);
    SYMBOL(i420_to_rgb_fn, I420ToABGR);
    return 0;
}

/*
 * probe.h — the vocabulary of the layout probes.
 *
 * Each probe in native-build/probes/ includes the real headers and prints one fact per line,
 * "key value", for every size, offset and constant the Java bindings use:
 *
 *   hxfr_header.sizeof 12          SIZE(type, "name")
 *   hxfr_header.magic 0            FIELD(type, "name", member)   offset of member
 *   hxfr_header.magic.sizeof 4                                    and its size
 *   HXFR_MAGIC 1380341832          CONST(macro_or_enum)
 *
 * The Java test suite (dev.framebridge.nativebuild) compiles and runs each probe and compares
 * these facts with the ones its layouts declare; any difference fails the build.
 */
#ifndef FRAMEBRIDGE_PROBE_H
#define FRAMEBRIDGE_PROBE_H

#include <stddef.h>
#include <stdio.h>

#define SIZE(type, name) printf("%s.sizeof %zu\n", name, sizeof(type))
#define FIELD(type, name, member) \
    do { \
        printf("%s.%s %zu\n", name, #member, offsetof(type, member)); \
        printf("%s.%s.sizeof %zu\n", name, #member, sizeof(((type *)0)->member)); \
    } while (0)
#define CONST(c) printf("%s %lld\n", #c, (long long)(c))
#define CONST_AS(name, c) printf("%s %lld\n", name, (long long)(c))

#endif

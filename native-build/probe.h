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

/*
 * Function prototypes, for bindings that link functions through FFM (LibC):
 *
 *   FUNCTION(recv, ssize_t, int, void *, size_t, int);
 *   VARIADIC_FUNCTION(fcntl, int, int, int);        the fixed arguments; "..." follows them
 *
 * assigns the function to a pointer of exactly that type, so -Werror rejects the probe when the header's
 * prototype differs, and prints what the ABI depends on, for the Java descriptor to be compared with:
 *
 *   fn.recv.args 4                 fixed arguments
 *   fn.recv.variadic 0
 *   fn.recv.return.sizeof 8        and .kind: 0 integer, 1 pointer, 2 floating point
 *   fn.recv.arg1.sizeof 8
 *   fn.recv.arg1.kind 1
 *
 * A GNU transparent union of pointers (glibc's __SOCKADDR_ARG) is passed as a pointer and counts as one.
 */
#define FB_KIND(T) (__builtin_classify_type((T){0}) == 5 || __builtin_classify_type((T){0}) == 13 ? 1 \
        : __builtin_classify_type((T){0}) == 8 ? 2 : 0)
static inline void fb_type(const char *fn, const char *part, int index, size_t size, int kind) {
    char name[32];
    if (index >= 0) {
        snprintf(name, sizeof name, "%s%d", part, index);
        part = name;
    }
    printf("fn.%s.%s.sizeof %zu\n", fn, part, size);
    printf("fn.%s.%s.kind %d\n", fn, part, kind);
}
#define FB_ARG(fn, i, T) fb_type(fn, "arg", i, sizeof(T), FB_KIND(T))
#define FB_ARGS1(fn, i, T) FB_ARG(fn, i, T)
#define FB_ARGS2(fn, i, T, ...) FB_ARG(fn, i, T); FB_ARGS1(fn, i + 1, __VA_ARGS__)
#define FB_ARGS3(fn, i, T, ...) FB_ARG(fn, i, T); FB_ARGS2(fn, i + 1, __VA_ARGS__)
#define FB_ARGS4(fn, i, T, ...) FB_ARG(fn, i, T); FB_ARGS3(fn, i + 1, __VA_ARGS__)
#define FB_ARGS5(fn, i, T, ...) FB_ARG(fn, i, T); FB_ARGS4(fn, i + 1, __VA_ARGS__)
#define FB_ARGS6(fn, i, T, ...) FB_ARG(fn, i, T); FB_ARGS5(fn, i + 1, __VA_ARGS__)
#define FB_COUNT(...) FB_COUNT_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define FB_COUNT_(a, b, c, d, e, f, n, ...) n
#define FB_CAT(a, b) FB_CAT_(a, b)
#define FB_CAT_(a, b) a##b
#define FB_FACTS(name, variadic, R, ...) \
    do { \
        printf("fn.%s.args %d\n", #name, FB_COUNT(__VA_ARGS__)); \
        printf("fn.%s.variadic %d\n", #name, variadic); \
        fb_type(#name, "return", -1, sizeof(R), FB_KIND(R)); \
        FB_CAT(FB_ARGS, FB_COUNT(__VA_ARGS__))(#name, 0, __VA_ARGS__); \
    } while (0)
#define FUNCTION(name, R, ...) \
    do { \
        R (*const volatile fb_checked)(__VA_ARGS__) = name; \
        (void)fb_checked; \
        FB_FACTS(name, 0, R, __VA_ARGS__); \
    } while (0)
/* A function without arguments: FUNCTION0(getpagesize, int); */
#define FUNCTION0(name, R) \
    do { \
        R (*const volatile fb_checked)(void) = name; \
        (void)fb_checked; \
        printf("fn.%s.args 0\n", #name); \
        printf("fn.%s.variadic 0\n", #name); \
        fb_type(#name, "return", -1, sizeof(R), FB_KIND(R)); \
    } while (0)
#define VARIADIC_FUNCTION(name, R, ...) \
    do { \
        R (*const volatile fb_checked)(__VA_ARGS__, ...) = name; \
        (void)fb_checked; \
        FB_FACTS(name, 1, R, __VA_ARGS__); \
    } while (0)

#endif

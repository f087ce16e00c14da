/* Facts of the libc socket, epoll, eventfd, poll, fcntl and mman headers, for dev.framebridge.ffi.LibC
 * and dev.framebridge.ffi.LibCLayouts. Build: cc -I native-build native-build/probes/libc.c */
#define _GNU_SOURCE
#include "probe.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(void) {
    /* address families, socket types and flags */
    CONST(AF_UNIX);
    CONST(AF_INET);
    CONST(AF_INET6);
    CONST(SOCK_STREAM);
    CONST(SOCK_NONBLOCK);
    CONST(SOCK_CLOEXEC);
    CONST(SOL_SOCKET);
    CONST(SO_REUSEADDR);
    CONST(SO_SNDBUF);
    CONST(SO_RCVBUF);
    CONST(SO_ERROR);
    CONST(SCM_RIGHTS);
    CONST(IPPROTO_TCP);
    CONST(TCP_NODELAY);
    CONST(MSG_NOSIGNAL);
    CONST(MSG_DONTWAIT);
    CONST(MSG_CTRUNC);
    CONST(MSG_CMSG_CLOEXEC);
    CONST(SHUT_RD);
    CONST(SHUT_WR);
    CONST(SHUT_RDWR);

    /* fcntl */
    CONST(F_GETFL);
    CONST(F_SETFL);
    CONST(O_NONBLOCK);
    CONST(F_ADD_SEALS);
    CONST(F_GET_SEALS);
    CONST(F_SEAL_SEAL);
    CONST(F_SEAL_SHRINK);
    CONST(F_SEAL_GROW);
    CONST(F_SEAL_WRITE);

    /* files, memfd, mmap, statx */
    CONST(O_RDONLY);
    CONST(O_RDWR);
    CONST(O_CLOEXEC);
    CONST(SEEK_SET);
    CONST(SEEK_END);
    CONST(MFD_CLOEXEC);
    CONST(MFD_ALLOW_SEALING);
    CONST(MAP_SHARED);
    CONST(AT_EMPTY_PATH);
    CONST(STATX_TYPE);
    CONST(STATX_MODE);
    CONST(STATX_INO);
    CONST(STATX_SIZE);
    CONST(S_IFMT);
    CONST(S_IFREG);
    CONST_AS("off_t.sizeof", sizeof(off_t));

    /* epoll, eventfd, poll */
    CONST(EPOLLIN);
    CONST(EPOLLOUT);
    CONST(EPOLLERR);
    CONST(EPOLLHUP);
    CONST(EPOLLRDHUP);
    CONST(EPOLLET);
    CONST(EPOLL_CTL_ADD);
    CONST(EPOLL_CTL_MOD);
    CONST(EPOLL_CTL_DEL);
    CONST(EPOLL_CLOEXEC);
    CONST(EFD_NONBLOCK);
    CONST(EFD_CLOEXEC);
    CONST(POLLIN);
    CONST(POLLOUT);
    CONST(POLLERR);
    CONST(POLLHUP);
    CONST(POLLNVAL);

    /* anonymous mappings (frame memory) */
    CONST(PROT_READ);
    CONST(PROT_WRITE);
    CONST(MAP_PRIVATE);
    CONST(MAP_ANONYMOUS);
    CONST(MAP_NORESERVE);
    CONST_AS("MAP_FAILED", (long long)(intptr_t)MAP_FAILED);

    /* errno values the Java side names */
    CONST(EPERM);
    CONST(ENOENT);
    CONST(EINTR);
    CONST(EBADF);
    CONST(EAGAIN);
    CONST(ENOMEM);
    CONST(EACCES);
    CONST(EEXIST);
    CONST(ENOTDIR);
    CONST(ENOTTY);
    CONST(EINVAL);
    CONST(ENFILE);
    CONST(EMFILE);
    CONST(EPIPE);
    CONST(ENAMETOOLONG);
    CONST(ENOTSOCK);
    CONST(EMSGSIZE);
    CONST(EPROTONOSUPPORT);
    CONST(EAFNOSUPPORT);
    CONST(EADDRINUSE);
    CONST(EADDRNOTAVAIL);
    CONST(ENETUNREACH);
    CONST(ECONNABORTED);
    CONST(ECONNRESET);
    CONST(ENOBUFS);
    CONST(ENOTCONN);
    CONST(ETIMEDOUT);
    CONST(ECONNREFUSED);
    CONST(EHOSTUNREACH);
    CONST(EALREADY);
    CONST(EINPROGRESS);
    CONST(ENODEV);
    CONST(ESPIPE);
    CONST(ENOSYS);

    /* scalar types passed by pointer */
    CONST_AS("socklen_t.sizeof", sizeof(socklen_t));
    CONST_AS("sa_family_t.sizeof", sizeof(sa_family_t));
    CONST_AS("mode_t.sizeof", sizeof(mode_t));
    CONST_AS("nfds_t.sizeof", sizeof(nfds_t));
    SIZE(struct sockaddr_storage, "sockaddr_storage");

    /* control-message arithmetic (the CMSG_* macros), for 1 and 4 file descriptors */
    CONST_AS("CMSG_ALIGN(sizeof(struct cmsghdr))", CMSG_ALIGN(sizeof(struct cmsghdr)));
    CONST_AS("CMSG_LEN(1*sizeof(int))", CMSG_LEN(1 * sizeof(int)));
    CONST_AS("CMSG_SPACE(1*sizeof(int))", CMSG_SPACE(1 * sizeof(int)));
    CONST_AS("CMSG_LEN(4*sizeof(int))", CMSG_LEN(4 * sizeof(int)));
    CONST_AS("CMSG_SPACE(4*sizeof(int))", CMSG_SPACE(4 * sizeof(int)));

    SIZE(struct sockaddr_un, "sockaddr_un");
    FIELD(struct sockaddr_un, "sockaddr_un", sun_family);
    FIELD(struct sockaddr_un, "sockaddr_un", sun_path);

    SIZE(struct sockaddr_in, "sockaddr_in");
    FIELD(struct sockaddr_in, "sockaddr_in", sin_family);
    FIELD(struct sockaddr_in, "sockaddr_in", sin_port);
    FIELD(struct sockaddr_in, "sockaddr_in", sin_addr);
    FIELD(struct sockaddr_in, "sockaddr_in", sin_zero);

    SIZE(struct sockaddr_in6, "sockaddr_in6");
    FIELD(struct sockaddr_in6, "sockaddr_in6", sin6_family);
    FIELD(struct sockaddr_in6, "sockaddr_in6", sin6_port);
    FIELD(struct sockaddr_in6, "sockaddr_in6", sin6_flowinfo);
    FIELD(struct sockaddr_in6, "sockaddr_in6", sin6_addr);
    FIELD(struct sockaddr_in6, "sockaddr_in6", sin6_scope_id);

    SIZE(struct iovec, "iovec");
    FIELD(struct iovec, "iovec", iov_base);
    FIELD(struct iovec, "iovec", iov_len);

    SIZE(struct msghdr, "msghdr");
    FIELD(struct msghdr, "msghdr", msg_name);
    FIELD(struct msghdr, "msghdr", msg_namelen);
    FIELD(struct msghdr, "msghdr", msg_iov);
    FIELD(struct msghdr, "msghdr", msg_iovlen);
    FIELD(struct msghdr, "msghdr", msg_control);
    FIELD(struct msghdr, "msghdr", msg_controllen);
    FIELD(struct msghdr, "msghdr", msg_flags);

    /* cmsghdr ends in a flexible array (__cmsg_data); its data starts at CMSG_ALIGN(sizeof) */
    SIZE(struct cmsghdr, "cmsghdr");
    FIELD(struct cmsghdr, "cmsghdr", cmsg_len);
    FIELD(struct cmsghdr, "cmsghdr", cmsg_level);
    FIELD(struct cmsghdr, "cmsghdr", cmsg_type);

    /* packed on x86_64 (12 bytes), naturally aligned elsewhere (16) */
    SIZE(struct epoll_event, "epoll_event");
    FIELD(struct epoll_event, "epoll_event", events);
    FIELD(struct epoll_event, "epoll_event", data);

    SIZE(struct statx, "statx");
    FIELD(struct statx, "statx", stx_mask);
    FIELD(struct statx, "statx", stx_mode);
    FIELD(struct statx, "statx", stx_ino);
    FIELD(struct statx, "statx", stx_size);
    FIELD(struct statx, "statx", stx_dev_major);
    FIELD(struct statx, "statx", stx_dev_minor);

    SIZE(struct pollfd, "pollfd");
    FIELD(struct pollfd, "pollfd", fd);
    FIELD(struct pollfd, "pollfd", events);
    FIELD(struct pollfd, "pollfd", revents);

    /* every function LibC links, with the header's prototype (compile error if it differs) */
    FUNCTION(socket, int, int, int, int);
    FUNCTION(socketpair, int, int, int, int, int *);
    FUNCTION(bind, int, int, __CONST_SOCKADDR_ARG, socklen_t);
    FUNCTION(listen, int, int, int);
    FUNCTION(accept4, int, int, __SOCKADDR_ARG, socklen_t *, int);
    FUNCTION(connect, int, int, __CONST_SOCKADDR_ARG, socklen_t);
    FUNCTION(recv, ssize_t, int, void *, size_t, int);
    FUNCTION(send, ssize_t, int, const void *, size_t, int);
    FUNCTION(read, ssize_t, int, void *, size_t);
    FUNCTION(write, ssize_t, int, const void *, size_t);
    FUNCTION(writev, ssize_t, int, const struct iovec *, int);
    FUNCTION(sendmsg, ssize_t, int, const struct msghdr *, int);
    FUNCTION(recvmsg, ssize_t, int, struct msghdr *, int);
    FUNCTION(close, int, int);
    FUNCTION(shutdown, int, int, int);
    FUNCTION(setsockopt, int, int, int, int, const void *, socklen_t);
    FUNCTION(getsockopt, int, int, int, int, void *, socklen_t *);
    VARIADIC_FUNCTION(fcntl, int, int, int);
    FUNCTION(epoll_create1, int, int);
    FUNCTION(epoll_ctl, int, int, int, int, struct epoll_event *);
    FUNCTION(epoll_wait, int, int, struct epoll_event *, int, int);
    FUNCTION(eventfd, int, unsigned int, int);
    FUNCTION(getsockname, int, int, __SOCKADDR_ARG, socklen_t *);
    FUNCTION(getpeername, int, int, __SOCKADDR_ARG, socklen_t *);
    FUNCTION(unlink, int, const char *);
    FUNCTION(chmod, int, const char *, mode_t);
    FUNCTION(poll, int, struct pollfd *, nfds_t, int);
    FUNCTION(strerror, char *, int);
    FUNCTION(memfd_create, int, const char *, unsigned int);
    FUNCTION(ftruncate, int, int, off_t);
    FUNCTION(lseek, off_t, int, off_t, int);
    VARIADIC_FUNCTION(open, int, const char *, int);
    FUNCTION(mmap, void *, void *, size_t, int, int, int, off_t);
    FUNCTION(munmap, int, void *, size_t);
    FUNCTION0(getpagesize, int);
    FUNCTION(statx, int, int, const char *, int, unsigned int, struct statx *);
    VARIADIC_FUNCTION(ioctl, int, int, unsigned long);
    return 0;
}

/* Facts of the libc socket, epoll, eventfd, poll and fcntl headers, for dev.framebridge.ffi.LibC
 * and dev.framebridge.ffi.LibCLayouts. Build: cc -I native-build native-build/probes/libc.c */
#define _GNU_SOURCE
#include "probe.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

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

    /* device files: open, ioctl, mmap (DRM) */
    CONST(O_RDWR);
    CONST(O_CLOEXEC);
    CONST(PROT_READ);
    CONST(PROT_WRITE);
    CONST(MAP_SHARED);
    CONST_AS("off_t.sizeof", sizeof(off_t));
    CONST_AS("MAP_FAILED", (long long)(intptr_t)MAP_FAILED);
    /* the signatures LibC links: a changed one fails to compile */
    int (*p_open)(const char *, int, ...) = open;
    int (*p_ioctl)(int, unsigned long, ...) = ioctl;
    void *(*p_mmap)(void *, size_t, int, int, int, off_t) = mmap;
    int (*p_munmap)(void *, size_t) = munmap;
    (void)p_open; (void)p_ioctl; (void)p_mmap; (void)p_munmap;

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

    SIZE(struct pollfd, "pollfd");
    FIELD(struct pollfd, "pollfd", fd);
    FIELD(struct pollfd, "pollfd", events);
    FIELD(struct pollfd, "pollfd", revents);
    return 0;
}

/* The floor for bench/topology.mjs: the least work that reads every link and
 * address of a set of namespaces over rtnetlink. Per namespace: one setns
 * there and back, one NETLINK_ROUTE socket made inside, a link dump and an
 * address dump read to NLMSG_DONE, nothing parsed. Timed as a whole process.
 * Prints its own CPU time at the end, "USER_US SYS_US" (getrusage), so that
 * the bench can set the kernel's part of the work apart, then "LOOP_NS", the
 * wall time of the work alone, without the process's start and end.
 * usage: floor-topology NSFILE... */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buffer[1 << 16];

/* Sends one dump request and reads its answer to NLMSG_DONE. */
static int dump(int fd, int type, int family, unsigned seq) {
  struct {
    struct nlmsghdr header;
    struct rtgenmsg body;
    char pad[3];
  } request;
  memset(&request, 0, sizeof(request));
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg));
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = seq;
  request.body.rtgen_family = family;
  if (send(fd, &request, request.header.nlmsg_len, 0) < 0) return -1;
  for (;;) {
    ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0) return -1;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buffer; NLMSG_OK(h, got);
         h = NLMSG_NEXT(h, got)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return -1;
    }
  }
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv) {
  long long start = now_ns();
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return perror("open"), 1;
  for (int i = 1; i < argc; i++) {
    int ns = open(argv[i], O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return perror(argv[i]), 1;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0 || setns(home, CLONE_NEWNET) != 0) return perror("socket"), 1;
    if (dump(fd, RTM_GETLINK, AF_UNSPEC, 1) != 0 ||
        dump(fd, RTM_GETADDR, AF_UNSPEC, 2) != 0) {
      return perror("dump"), 1;
    }
    close(fd);
    close(ns);
  }
  close(home);
  long long loop = now_ns() - start;
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return perror("getrusage"), 1;
  printf("%ld %ld %lld\n",
         usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec,
         usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec, loop);
  return 0;
}

// pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2) and the pidfs
// namespace ioctl, one to one. Every fd they return is close-on-exec.
#include "pidfd.hh"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "args.hh"

#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(0xFF, 4)  // linux/pidfd.h, Linux 6.11
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

namespace netns {

namespace {

// The kernel always makes a pidfd close-on-exec.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Reader args(info);
  int pid, flags;
  if (!args.Int(0, &pid) || !args.Int(1, &flags)) return args.Error();
  return CheckNumber(info.Env(), syscall(SYS_pidfd_open, pid, flags),
                     "pidfd_open");
}

Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  Reader args(info);
  int pidfd, sig;
  if (!args.Int(0, &pidfd) || !args.Int(1, &sig, 0, 64)) return args.Error();
  return CheckVoid(info.Env(),
                   syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0),
                   "pidfd_send_signal");
}

// A new close-on-exec nsfs fd on the process's network namespace.
Napi::Value PidfdGetNetNamespace(const Napi::CallbackInfo& info) {
  Reader args(info);
  int pidfd;
  if (!args.Int(0, &pidfd)) return args.Error();
  return CheckNumber(info.Env(), ioctl(pidfd, PIDFD_GET_NET_NAMESPACE, 0),
                     "ioctl(PIDFD_GET_NET_NAMESPACE)");
}

// A duplicate of another process's fd (needs ptrace rights over it); the
// kernel makes it close-on-exec.
Napi::Value PidfdGetfd(const Napi::CallbackInfo& info) {
  Reader args(info);
  int pidfd, fd;
  if (!args.Int(0, &pidfd) || !args.Int(1, &fd, 0)) return args.Error();
  return CheckNumber(info.Env(), syscall(SYS_pidfd_getfd, pidfd, fd, 0),
                     "pidfd_getfd");
}

}  // namespace

void InitPidfd(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "pidfdOpen", PidfdOpen);
  Register(env, exports, "pidfdSendSignal", PidfdSendSignal);
  Register(env, exports, "pidfdGetNetNamespace", PidfdGetNetNamespace);
  Register(env, exports, "pidfdGetfd", PidfdGetfd);
}

}  // namespace netns

// pidfd_open(2), pidfd_send_signal(2) and the pidfs namespace ioctl.
#include "pidfd.hh"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.hh"

#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(0xFF, 4)  // linux/pidfd.h, Linux 6.11
#endif

namespace netns {

// pidfd_open(pid, flags): the kernel always sets O_CLOEXEC on a pidfd.
static Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int pid, flags;
  if (!GetInt(info, 0, &pid) || !GetInt(info, 1, &flags)) return {};
  long fd = syscall(SYS_pidfd_open, pid, flags);
  if (fd < 0) {
    ThrowErrno(info.Env(), errno, "pidfd_open");
    return {};
  }
  return Napi::Number::New(info.Env(), static_cast<double>(fd));
}

static Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  int pidfd, sig;
  if (!GetInt(info, 0, &pidfd) || !GetInt(info, 1, &sig)) return {};
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) {
    ThrowErrno(info.Env(), errno, "pidfd_send_signal");
  }
  return info.Env().Undefined();
}

// Returns a new O_CLOEXEC nsfs fd for the process's network namespace.
static Napi::Value PidfdGetNetNamespace(const Napi::CallbackInfo& info) {
  int pidfd;
  if (!GetInt(info, 0, &pidfd)) return {};
  int fd = ioctl(pidfd, PIDFD_GET_NET_NAMESPACE, 0);
  if (fd < 0) {
    ThrowErrno(info.Env(), errno, "ioctl(PIDFD_GET_NET_NAMESPACE)");
    return {};
  }
  return Napi::Number::New(info.Env(), fd);
}

void InitPidfd(Napi::Env env, Napi::Object exports) {
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal));
  exports.Set("pidfdGetNetNamespace",
              Napi::Function::New(env, PidfdGetNetNamespace));
}

}  // namespace netns

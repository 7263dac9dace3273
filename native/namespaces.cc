// setns(2), unshare(2) and the nsfs ioctls, one to one.
#include "namespaces.hh"

#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "args.hh"

namespace netns {

namespace {

Napi::Value Setns(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd, nstype;
  if (!args.Int(0, &fd) || !args.Int(1, &nstype)) return args.Error();
  return CheckVoid(info.Env(), setns(fd, nstype), "setns");
}

Napi::Value Unshare(const Napi::CallbackInfo& info) {
  Reader args(info);
  int flags;
  if (!args.Int(0, &flags)) return args.Error();
  return CheckVoid(info.Env(), unshare(flags), "unshare");
}

// ioctl(fd, request) returning an int: a type, or a new fd (the kernel opens
// those O_CLOEXEC).
Napi::Value NsIoctl(const Napi::CallbackInfo& info, unsigned long request,
                    const char* name) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd)) return args.Error();
  return CheckNumber(info.Env(), ioctl(fd, request), name);
}

Napi::Value NsGetNstype(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_NSTYPE, "ioctl(NS_GET_NSTYPE)");
}

Napi::Value NsGetUserns(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_USERNS, "ioctl(NS_GET_USERNS)");
}

Napi::Value NsGetParent(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_PARENT, "ioctl(NS_GET_PARENT)");
}

Napi::Value NsGetOwnerUid(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd)) return args.Error();
  uid_t uid;
  if (ioctl(fd, NS_GET_OWNER_UID, &uid) != 0) {
    return Failure(info.Env(), errno, "ioctl(NS_GET_OWNER_UID)");
  }
  return Napi::Number::New(info.Env(), uid);
}

// gettid(2), which cannot fail: the calling thread, for /proc/PID/task/TID
// paths. The raw syscall: glibc's wrapper needs glibc 2.30.
long ThreadId() { return syscall(SYS_gettid); }

Napi::Value Gettid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ThreadId()));
}

// The last resort when a thread cannot switch back to its namespace and not
// even JavaScript can run any more (its stack is exhausted): a thread in the
// wrong namespace must run nothing else.
Napi::Value AbortStuckThread(const Napi::CallbackInfo& info) {
  int err = info[0].IsNumber() ? -info[0].As<Napi::Number>().Int32Value() : 0;
  dprintf(
      2,
      "netns-native: fatal: thread %d could not switch back to its network "
      "namespace (%s); it must not run anything else: aborting the process\n",
      static_cast<int>(ThreadId()), err > 0 ? strerror(err) : "no stack left");
  abort();
}

}  // namespace

void InitNamespaces(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "setns", Setns);
  Register(env, exports, "unshare", Unshare);
  Register(env, exports, "nsGetNstype", NsGetNstype);
  Register(env, exports, "nsGetUserns", NsGetUserns);
  Register(env, exports, "nsGetParent", NsGetParent);
  Register(env, exports, "nsGetOwnerUid", NsGetOwnerUid);
  Register(env, exports, "gettid", Gettid);
  Register(env, exports, "abortStuckThread", AbortStuckThread);
}

}  // namespace netns

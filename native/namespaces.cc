// setns(2), unshare(2) and the nsfs ioctls, one to one.
#include "namespaces.hh"

#include <errno.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>

#include "errors.hh"

namespace netns {

static Napi::Value Setns(const Napi::CallbackInfo& info) {
  int fd, nstype;
  if (!GetInt(info, 0, &fd) || !GetInt(info, 1, &nstype)) return {};
  if (setns(fd, nstype) != 0) ThrowErrno(info.Env(), errno, "setns");
  return info.Env().Undefined();
}

static Napi::Value Unshare(const Napi::CallbackInfo& info) {
  int flags;
  if (!GetInt(info, 0, &flags)) return {};
  if (unshare(flags) != 0) ThrowErrno(info.Env(), errno, "unshare");
  return info.Env().Undefined();
}

// ioctl(fd, request) returning an int result (a type, a uid or a new fd).
static Napi::Value NsIoctl(const Napi::CallbackInfo& info,
                           unsigned long request, const char* name) {
  int fd;
  if (!GetInt(info, 0, &fd)) return {};
  int result = ioctl(fd, request);
  if (result < 0) {
    ThrowErrno(info.Env(), errno, name);
    return {};
  }
  return Napi::Number::New(info.Env(), result);
}

static Napi::Value NsGetNstype(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_NSTYPE, "ioctl(NS_GET_NSTYPE)");
}

// The kernel opens the returned fds with O_CLOEXEC.
static Napi::Value NsGetUserns(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_USERNS, "ioctl(NS_GET_USERNS)");
}

static Napi::Value NsGetParent(const Napi::CallbackInfo& info) {
  return NsIoctl(info, NS_GET_PARENT, "ioctl(NS_GET_PARENT)");
}

static Napi::Value NsGetOwnerUid(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetInt(info, 0, &fd)) return {};
  uid_t uid;
  if (ioctl(fd, NS_GET_OWNER_UID, &uid) != 0) {
    ThrowErrno(info.Env(), errno, "ioctl(NS_GET_OWNER_UID)");
    return {};
  }
  return Napi::Number::New(info.Env(), uid);
}

void InitNamespaces(Napi::Env env, Napi::Object exports) {
  exports.Set("setns", Napi::Function::New(env, Setns, "setns"));
  exports.Set("unshare", Napi::Function::New(env, Unshare, "unshare"));
  exports.Set("nsGetNstype", Napi::Function::New(env, NsGetNstype));
  exports.Set("nsGetUserns", Napi::Function::New(env, NsGetUserns));
  exports.Set("nsGetParent", Napi::Function::New(env, NsGetParent));
  exports.Set("nsGetOwnerUid", Napi::Function::New(env, NsGetOwnerUid));
}

}  // namespace netns

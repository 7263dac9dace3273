// mount(2), umount2(2) and flock(2), one to one.
#include "mounts.hh"

#include <errno.h>
#include <sys/file.h>
#include <sys/mount.h>

#include <string>

#include "errors.hh"

namespace netns {

// mount(source|null, target, fstype|null, flags, data|null)
static Napi::Value Mount(const Napi::CallbackInfo& info) {
  std::string source, target, fstype, data;
  bool has_source, has_fstype, has_data;
  unsigned long flags;
  if (!GetOptionalString(info, 0, &source, &has_source) ||
      !GetString(info, 1, &target) ||
      !GetOptionalString(info, 2, &fstype, &has_fstype) ||
      !GetUint(info, 3, &flags) ||
      !GetOptionalString(info, 4, &data, &has_data)) {
    return {};
  }
  if (mount(has_source ? source.c_str() : nullptr, target.c_str(),
            has_fstype ? fstype.c_str() : nullptr, flags,
            has_data ? data.c_str() : nullptr) != 0) {
    ThrowErrno(info.Env(), errno, "mount", target.c_str());
  }
  return info.Env().Undefined();
}

static Napi::Value Umount2(const Napi::CallbackInfo& info) {
  std::string target;
  int flags;
  if (!GetString(info, 0, &target) || !GetInt(info, 1, &flags)) return {};
  if (umount2(target.c_str(), flags) != 0) {
    ThrowErrno(info.Env(), errno, "umount2", target.c_str());
  }
  return info.Env().Undefined();
}

static Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd, operation;
  if (!GetInt(info, 0, &fd) || !GetInt(info, 1, &operation)) return {};
  int result;
  do {
    result = flock(fd, operation);
  } while (result != 0 && errno == EINTR);
  if (result != 0) ThrowErrno(info.Env(), errno, "flock");
  return info.Env().Undefined();
}

void InitMounts(Napi::Env env, Napi::Object exports) {
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("umount2", Napi::Function::New(env, Umount2, "umount2"));
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
}

}  // namespace netns

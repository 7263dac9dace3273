// mount(2), umount2(2), unlink(2) and flock(2), one to one.
#include "mounts.hh"

#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>

#include "args.hh"

namespace netns {

namespace {

// mount(source|null, target, fstype|null, flags, data|null)
Napi::Value Mount(const Napi::CallbackInfo& info) {
  Reader args(info);
  std::string source, target, fstype, data;
  bool has_source, has_fstype, has_data;
  uint64_t flags;
  if (!args.OptionalString(0, &source, &has_source) ||
      !args.String(1, &target) ||
      !args.OptionalString(2, &fstype, &has_fstype) ||
      !args.Uint64(3, &flags) || !args.OptionalString(4, &data, &has_data)) {
    return args.Error();
  }
  int result = mount(has_source ? source.c_str() : nullptr, target.c_str(),
                     has_fstype ? fstype.c_str() : nullptr, flags,
                     has_data ? data.c_str() : nullptr);
  return CheckVoid(info.Env(), result, "mount", target.c_str());
}

Napi::Value Umount2(const Napi::CallbackInfo& info) {
  Reader args(info);
  std::string target;
  int flags;
  if (!args.String(0, &target) || !args.Int(1, &flags)) return args.Error();
  return CheckVoid(info.Env(), umount2(target.c_str(), flags), "umount2",
                   target.c_str());
}

// unlink(2): a name's file goes after its mount (node:fs's unlinkSync
// validates and converts its path in JavaScript first).
Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Reader args(info);
  std::string path;
  if (!args.String(0, &path)) return args.Error();
  return CheckVoid(info.Env(), unlink(path.c_str()), "unlink", path.c_str());
}

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd, operation;
  if (!args.Int(0, &fd) || !args.Int(1, &operation)) return args.Error();
  int result = RetryOnEintr([&] { return flock(fd, operation); });
  return CheckVoid(info.Env(), result, "flock");
}

}  // namespace

void InitMounts(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "mount", Mount);
  Register(env, exports, "umount2", Umount2);
  Register(env, exports, "unlink", Unlink);
  Register(env, exports, "flock", Flock);
}

}  // namespace netns

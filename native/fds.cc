// open(2), close(2) and pipe2(2) for fds the addon owns. Every fd is
// close-on-exec: O_CLOEXEC is added, never left to the caller. And the fds a
// JS environment owns until it ends (ownFd).
#include "fds.hh"

#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include <new>
#include <string>
#include <unordered_set>

#include "args.hh"

namespace netns {

namespace {

// open(path, flags[, mode]): a mode is required exactly when a file may be
// created (O_CREAT, O_TMPFILE), as open(2) reads it only then.
Napi::Value Open(const Napi::CallbackInfo& info) {
  Reader args(info);
  std::string path;
  int flags;
  if (!args.String(0, &path) || !args.Int(1, &flags)) return args.Error();
  bool creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  bool hasMode = info.Length() > 2 && !info[2].IsUndefined();
  int mode = 0;
  if (creates != hasMode) {
    args.Refuse(creates ? "open() with O_CREAT or O_TMPFILE takes a mode"
                        : "open() takes a mode only with O_CREAT or O_TMPFILE");
    return args.Error();
  }
  if (hasMode && !args.Int(2, &mode, 0, 07777)) return args.Error();
  int fd =
      RetryOnEintr([&] { return open(path.c_str(), flags | O_CLOEXEC, mode); });
  return CheckNumber(info.Env(), fd, "open", path.c_str());
}

// The fds a JS environment (the main thread's, or a worker's) was given to
// own: closed when it is torn down, at a worker's end and at terminate()
// too, where the finalizers of JS objects never run. The addon's instance
// data; close() lets go of an fd before closing it, so a number closed and
// reused is never closed again here.
struct OwnedFds {
  std::unordered_set<int> fds;
  ~OwnedFds() {
    for (int fd : fds) close(fd);
  }
};

void FinalizeOwnedFds(napi_env, void* data, void*) {
  delete static_cast<OwnedFds*>(data);
}

// ownFd(fd): this environment closes fd when it ends, unless close(fd) came
// first.
Napi::Value OwnFd(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd, 0)) return args.Error();
  Napi::Env env = info.Env();
  OwnedFds* owned = env.GetInstanceData<OwnedFds>();
  if (owned == nullptr) {
    owned = new (std::nothrow) OwnedFds();
    if (owned == nullptr) return Failure(env, ENOMEM, "ownFd");
    if (napi_set_instance_data(env, owned, FinalizeOwnedFds, nullptr) !=
        napi_ok) {
      delete owned;
      return Failure(env, ENOMEM, "napi_set_instance_data");
    }
  }
  owned->fds.insert(fd);
  return env.Undefined();
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd, 0)) return args.Error();
  OwnedFds* owned = info.Env().GetInstanceData<OwnedFds>();
  if (owned != nullptr) owned->fds.erase(fd);
  // On Linux the fd is released even when close reports EINTR: never retry.
  if (close(fd) != 0 && errno != EINTR)
    return Failure(info.Env(), errno, "close");
  return info.Env().Undefined();
}

void CloseFdHook(void* arg) {
  close(static_cast<int>(reinterpret_cast<intptr_t>(arg)));
}

// closeOnEnvTeardown(fd): for a thread's long-lived fd, closed when its JS
// environment ends (a worker's end, terminate() too); closing it earlier
// would close a reused number later.
Napi::Value CloseOnEnvTeardown(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd, 0)) return args.Error();
  void* arg = reinterpret_cast<void*>(static_cast<intptr_t>(fd));
  if (napi_add_env_cleanup_hook(info.Env(), CloseFdHook, arg) != napi_ok) {
    return Failure(info.Env(), ENOMEM, "napi_add_env_cleanup_hook");
  }
  return info.Env().Undefined();
}

// pipe2(O_CLOEXEC) -> [readFd, writeFd]
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Failure(env, errno, "pipe2");
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, fds[0]));
  result.Set(1u, Napi::Number::New(env, fds[1]));
  return result;
}

}  // namespace

void InitFds(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "open", Open);
  Register(env, exports, "close", Close);
  Register(env, exports, "ownFd", OwnFd);
  Register(env, exports, "closeOnEnvTeardown", CloseOnEnvTeardown);
  Register(env, exports, "pipe", Pipe);
}

}  // namespace netns

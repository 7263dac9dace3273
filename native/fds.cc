// open(2), close(2) and pipe2(2) for fds the addon owns. Every fd is
// close-on-exec: O_CLOEXEC is added, never left to the caller. And the fds a
// JS environment owns until it ends (ownFd).
#include "fds.hh"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

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
// too, where the finalizers of JS objects never run. It is the addon's
// instance data (one slot per environment: nothing else may take it).
// close() lets go of an fd before closing it, so a number closed and reused
// is never closed again here. A plain array: the C++ containers would tie
// the prebuilt addon to a newer libstdc++ (scripts/elf-checks.mjs).
struct OwnedFds {
  int* fds = nullptr;
  size_t count = 0;
  size_t capacity = 0;
};

void FinalizeOwnedFds(napi_env, void* data, void*) {
  OwnedFds* owned = static_cast<OwnedFds*>(data);
  for (size_t i = 0; i < owned->count; i++) close(owned->fds[i]);
  free(owned->fds);
  free(owned);
}

OwnedFds* OwnedFdsOf(Napi::Env env) { return env.GetInstanceData<OwnedFds>(); }

// Adds fd (once); false when memory ran out.
bool Own(OwnedFds* owned, int fd) {
  for (size_t i = 0; i < owned->count; i++) {
    if (owned->fds[i] == fd) return true;
  }
  if (owned->count == owned->capacity) {
    size_t capacity = owned->capacity == 0 ? 16 : owned->capacity * 2;
    void* grown = realloc(owned->fds, capacity * sizeof(int));
    if (grown == nullptr) return false;
    owned->fds = static_cast<int*>(grown);
    owned->capacity = capacity;
  }
  owned->fds[owned->count++] = fd;
  return true;
}

void LetGo(OwnedFds* owned, int fd) {
  for (size_t i = 0; i < owned->count; i++) {
    if (owned->fds[i] == fd) {
      owned->fds[i] = owned->fds[--owned->count];
      return;
    }
  }
}

// ownFd(fd): this environment closes fd when it ends, unless close(fd) came
// first.
Napi::Value OwnFd(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd, 0)) return args.Error();
  Napi::Env env = info.Env();
  OwnedFds* owned = OwnedFdsOf(env);
  if (owned == nullptr) {
    owned = static_cast<OwnedFds*>(calloc(1, sizeof(OwnedFds)));
    if (owned == nullptr) return Failure(env, ENOMEM, "ownFd");
    if (napi_set_instance_data(env, owned, FinalizeOwnedFds, nullptr) !=
        napi_ok) {
      free(owned);
      return Failure(env, ENOMEM, "napi_set_instance_data");
    }
  }
  if (!Own(owned, fd)) return Failure(env, ENOMEM, "ownFd");
  return env.Undefined();
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd, 0)) return args.Error();
  OwnedFds* owned = OwnedFdsOf(info.Env());
  if (owned != nullptr) LetGo(owned, fd);
  // On Linux the fd is released even when close reports EINTR: never retry.
  if (close(fd) != 0 && errno != EINTR)
    return Failure(info.Env(), errno, "close");
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
  Register(env, exports, "pipe", Pipe);
}

}  // namespace netns

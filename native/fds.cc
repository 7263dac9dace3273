// open(2) and close(2) for fds the addon owns, and closing such fds when the
// JS environment (a worker thread) is torn down, even by worker.terminate().
// Fds opened through node:fs must be closed through node:fs instead: Node
// tracks those in worker threads and closes them again when the worker ends.
#include "fds.hh"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "errors.hh"

namespace netns {

// open(path, flags): O_CLOEXEC is always added.
static Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path;
  int flags;
  if (!GetString(info, 0, &path) || !GetInt(info, 1, &flags)) return {};
  int fd;
  do {
    fd = open(path.c_str(), flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    ThrowErrno(info.Env(), errno, "open", path.c_str());
    return {};
  }
  return Napi::Number::New(info.Env(), fd);
}

static Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetInt(info, 0, &fd)) return {};
  // On Linux the fd is released even when close reports EINTR: never retry.
  if (close(fd) != 0 && errno != EINTR) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

static void CloseFdHook(void* arg) {
  close(static_cast<int>(reinterpret_cast<intptr_t>(arg)));
}

// closeOnEnvTeardown(fd): the fd must stay open until then (a thread's
// long-lived fd); closing it earlier would close a reused number later.
static Napi::Value CloseOnEnvTeardown(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetInt(info, 0, &fd)) return {};
  void* arg = reinterpret_cast<void*>(static_cast<intptr_t>(fd));
  napi_status status = napi_add_env_cleanup_hook(info.Env(), CloseFdHook, arg);
  NAPI_THROW_IF_FAILED(info.Env(), status, Napi::Value());
  return info.Env().Undefined();
}

// pipe2(O_CLOEXEC) -> [readFd, writeFd]
static Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ThrowErrno(info.Env(), errno, "pipe2");
    return {};
  }
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  result.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return result;
}

void InitFds(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("closeOnEnvTeardown",
              Napi::Function::New(env, CloseOnEnvTeardown, "closeOnEnvTeardown"));
}

}  // namespace netns

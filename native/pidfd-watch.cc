// watchPidfd(callback).start(pidfd): calls back once the child behind a
// pidfd has exited, and reaps it. No thread: a pidfd becomes readable when
// its process exits, so it is polled on this environment's event loop
// (uv_poll_t, as @serialport/bindings-cpp polls its fds) and reaped with
// waitid(P_PIDFD, WNOHANG). The watch belongs to the environment that started
// it and is torn down with it (a worker's end, terminate() too), so no
// callback can reach a freed environment or an unloaded addon. It watches
// its own duplicate of the fd: the caller may close theirs at any time.
#include "pidfd-watch.hh"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

#include "args.hh"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace netns {

namespace {

class PidfdWatch : public Napi::ObjectWrap<PidfdWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PidfdWatch",
                       {InstanceMethod<&PidfdWatch::Start>("start"),
                        InstanceMethod<&PidfdWatch::RefLoop>("ref"),
                        InstanceMethod<&PidfdWatch::UnrefLoop>("unref"),
                        InstanceMethod<&PidfdWatch::Stop>("stop")});
  }

  explicit PidfdWatch(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<PidfdWatch>(info) {
    // A constructor can only report by throwing: argument checks wait for
    // start().
    if (info[0].IsFunction()) {
      callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    }
  }

 private:
  enum class State { kIdle, kWatching, kClosing, kClosed };

  // start(pidfd) -> undefined or a failure.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Reader args(info);
    int pidfd;
    if (!args.Int(0, &pidfd, 0)) return args.Error();
    if (callback_.IsEmpty()) {
      return Napi::TypeError::New(env, "PidfdWatch needs a callback function")
          .Value();
    }
    if (state_ != State::kIdle) {
      return Napi::TypeError::New(env, "PidfdWatch was already started")
          .Value();
    }
    uv_loop_t* loop;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      return Failure(env, EINVAL, "napi_get_uv_event_loop");
    }
    // Only a pidfd: on any other fd the poll may never fire (a pipe nobody
    // writes), and waitid(P_PIDFD) refuses one with EBADF. WNOHANG | WNOWAIT
    // neither blocks nor reaps; ECHILD (not our child) is reported at exit.
    siginfo_t probe = {};
    if (RetryOnEintr([&] {
          return waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &probe,
                        WEXITED | WNOHANG | WNOWAIT);
        }) != 0 &&
        errno != ECHILD) {
      return Failure(env, errno, "waitid");
    }
    fd_ = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
    if (fd_ < 0) return Failure(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
    int err = uv_poll_init(loop, &poll_, fd_);
    if (err != 0) {
      close(fd_);
      fd_ = -1;
      return Failure(env, -err, "uv_poll_init");
    }
    poll_.data = this;
    err = uv_poll_start(&poll_, UV_READABLE, OnReadable);
    if (err == 0 && napi_add_async_cleanup_hook(env, OnTeardown, this,
                                                &cleanup_) != napi_ok) {
      err = UV_ENOMEM;
    }
    Ref();  // the JS object, and so this, lives until the handle is closed
    state_ = State::kWatching;
    if (err != 0) {
      Close();
      return Failure(env, -err, "uv_poll_start");
    }
    context_ =
        std::make_unique<Napi::AsyncContext>(env, "netns-native:PidfdWatch");
    return env.Undefined();
  }

  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    if (state_ == State::kWatching)
      uv_ref(reinterpret_cast<uv_handle_t*>(&poll_));
    return info.Env().Undefined();
  }

  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    if (state_ == State::kWatching)
      uv_unref(reinterpret_cast<uv_handle_t*>(&poll_));
    return info.Env().Undefined();
  }

  // Stops watching without reaping; the callback is not called.
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  static void OnReadable(uv_poll_t* handle, int status, int) {
    auto* self = static_cast<PidfdWatch*>(handle->data);
    if (self->state_ != State::kWatching) return;
    if (status < 0) {
      self->Finish(-status, 0, 0);
      return;
    }
    siginfo_t child = {};
    int result = RetryOnEintr([&] {
      return waitid(static_cast<idtype_t>(P_PIDFD), self->fd_, &child,
                    WEXITED | WNOHANG);
    });
    if (result != 0) {
      self->Finish(errno, 0, 0);
    } else if (child.si_pid == 0) {
      return;  // woken, but not exited yet
    } else if (child.si_code == CLD_EXITED) {
      self->Finish(0, child.si_status, 0);
    } else {
      self->Finish(0, -1, child.si_status);
    }
  }

  // Closes the watch, then calls back with (errno | null, code | null, signal |
  // null).
  void Finish(int err, int code, int signal) {
    Close();
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Value error = err != 0 ? Napi::Number::New(env, -err) : env.Null();
    Napi::Value exit_code =
        err == 0 && code >= 0 ? Napi::Number::New(env, code) : env.Null();
    Napi::Value exit_signal =
        signal > 0 ? Napi::Number::New(env, signal) : env.Null();
    callback_.MakeCallback(Value(), {error, exit_code, exit_signal}, *context_);
    // An exception from the callback is an uncaught exception of this loop
    // turn, as it would be for an event of Node's own ChildProcess.
    if (env.IsExceptionPending()) {
      napi_fatal_exception(env, env.GetAndClearPendingException().Value());
    }
  }

  void Close() {
    if (state_ != State::kWatching) return;
    state_ = State::kClosing;
    uv_poll_stop(&poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_), OnClosed);
  }

  static void OnClosed(uv_handle_t* handle) {
    auto* self = static_cast<PidfdWatch*>(handle->data);
    close(self->fd_);
    self->fd_ = -1;
    self->state_ = State::kClosed;
    self->context_.reset();
    if (self->cleanup_ != nullptr) {
      napi_remove_async_cleanup_hook(
          self->cleanup_);  // also: teardown may go on
      self->cleanup_ = nullptr;
    }
    self->Unref();
  }

  // The environment is ending: reap the child if it has already exited (no
  // zombie), then let go of the handle. Nothing is called back.
  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    auto* self = static_cast<PidfdWatch*>(arg);
    siginfo_t child = {};
    waitid(static_cast<idtype_t>(P_PIDFD), self->fd_, &child,
           WEXITED | WNOHANG);
    self->Close();
  }

  uv_poll_t poll_ = {};
  int fd_ = -1;
  State state_ = State::kIdle;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
};

// watchPidfd(callback) -> a new PidfdWatch. JavaScript gets this factory,
// not the class: a class constructor called without `new` throws, and native
// code never throws.
Napi::Value WatchPidfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object watch =
      env.GetInstanceData<Napi::FunctionReference>()->New({info[0]});
  if (env.IsExceptionPending()) {
    return env.GetAndClearPendingException().Value();
  }
  return watch;
}

}  // namespace

void InitPidfdWatch(Napi::Env env, Napi::Object exports) {
  // The constructor lives as long as this environment, which frees it.
  env.SetInstanceData(
      new Napi::FunctionReference(Napi::Persistent(PidfdWatch::Define(env))));
  Register(env, exports, "watchPidfd", WatchPidfd);
}

}  // namespace netns

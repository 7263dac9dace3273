// watchPidfd(callback).start(pidfd): calls back once the child behind a
// pidfd has exited, and reaps it. No thread: a pidfd becomes readable when
// its process exits, so it is polled on this environment's event loop
// (poll-watch.hh, as @serialport/bindings-cpp polls its fds) and reaped with
// waitid(P_PIDFD, WNOHANG). The watch polls its own duplicate of the fd (the
// caller may close theirs at any time) and is torn down with the environment
// that started it.
#include "pidfd-watch.hh"

#include <sys/wait.h>

#include <optional>

#include "args.hh"
#include "poll-watch.hh"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace netns {

namespace {

// waitid(P_PIDFD), retried on EINTR.
int WaitPidfd(int pidfd, siginfo_t* child, int options) {
  return RetryOnEintr([&] {
    return waitid(static_cast<idtype_t>(P_PIDFD), pidfd, child, options);
  });
}

class PidfdWatch : public Napi::ObjectWrap<PidfdWatch>, public PollWatch {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PidfdWatch",
                       {InstanceMethod<&PidfdWatch::Start>("start"),
                        InstanceMethod("ref", &PidfdWatch::RefLoop),
                        InstanceMethod("unref", &PidfdWatch::UnrefLoop),
                        InstanceMethod("stop", &PidfdWatch::Stop)});
  }

  explicit PidfdWatch(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<PidfdWatch>(info), PollWatch("PidfdWatch", info[0]) {}

 private:
  // start(pidfd) -> undefined or a failure. stop() stops watching without
  // reaping; the callback is then not called.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Reader args(info);
    int pidfd;
    if (!args.Int(0, &pidfd, 0)) return args.Error();
    Napi::Value refused = CheckStart(env);
    if (!refused.IsEmpty()) return refused;
    // Only a pidfd: on any other fd the poll may never fire (a pipe nobody
    // writes), and waitid(P_PIDFD) refuses one with EBADF. WNOHANG | WNOWAIT
    // neither blocks nor reaps; ECHILD (not our child) is reported at exit.
    siginfo_t probe = {};
    if (WaitPidfd(pidfd, &probe, WEXITED | WNOHANG | WNOWAIT) != 0 &&
        errno != ECHILD) {
      return Failure(env, errno, "waitid");
    }
    return Poll(env, Value(), pidfd);
  }

  // Reaps the child once it has exited, closes the watch, then calls back
  // with (errno | null, code | null, signal | null).
  void OnReadable(int status) override {
    siginfo_t child = {};
    if (status == 0 && WaitPidfd(fd(), &child, WEXITED | WNOHANG) != 0) {
      status = -errno;
    }
    if (status == 0 && child.si_pid == 0) return;  // woken, not exited yet
    Close();
    if (status < 0) {
      CallBack({status, std::nullopt, std::nullopt});
    } else if (child.si_code == CLD_EXITED) {
      CallBack({std::nullopt, child.si_status, std::nullopt});
    } else {
      CallBack({std::nullopt, std::nullopt, child.si_status});
    }
  }

  // The environment is ending: reap the child if it has already exited (no
  // zombie). Best effort: there is nobody left to tell of a failure.
  void OnTeardown() override {
    siginfo_t child = {};
    WaitPidfd(fd(), &child, WEXITED | WNOHANG);
  }
};

}  // namespace

void InitPidfdWatch(Napi::Env env, Napi::Object exports) {
  ExportFactory(env, exports, "watchPidfd", PidfdWatch::Define(env));
}

}  // namespace netns

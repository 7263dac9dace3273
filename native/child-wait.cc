// waitPidfd(pidfd, callback): reaps a child on a thread of its own and calls
// back on the JS thread with (code, signal), so the event loop never blocks
// and no zombie remains. The pidfd stays the caller's to close afterwards.
#include "child-wait.hh"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <pthread.h>

#include "errors.hh"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace netns {

namespace {

struct ExitStatus {
  int err = 0;   // errno of waitid, 0 on success
  int code = -1;
  int signal = 0;
};

void CallJs(Napi::Env env, Napi::Function callback, void*, ExitStatus* status) {
  if (env != nullptr && callback != nullptr) {
    Napi::Value code = status->code >= 0 ? Napi::Number::New(env, status->code)
                                         : env.Null();
    Napi::Value signal = env.Null();
    if (status->signal > 0) {
      const char* name = sigabbrev_np(status->signal);
      signal = Napi::String::New(env, std::string("SIG") + (name ? name : "UNKNOWN"));
    }
    Napi::Value err = status->err == 0 ? env.Null() : Napi::Number::New(env, -status->err);
    callback.Call({err, code, signal});
  }
  delete status;
}

using ExitCallback = Napi::TypedThreadSafeFunction<void, ExitStatus, CallJs>;

struct WaitJob {
  ExitCallback callback;
  int pidfd;
};

void* WaitThread(void* data) {
  auto* job = static_cast<WaitJob*>(data);
  auto* status = new ExitStatus();
  siginfo_t child = {};
  int result;
  do {
    result = waitid(static_cast<idtype_t>(P_PIDFD), job->pidfd, &child, WEXITED);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    status->err = errno;
  } else if (child.si_code == CLD_EXITED) {
    status->code = child.si_status;
  } else {
    status->signal = child.si_status;
  }
  if (job->callback.BlockingCall(status) != napi_ok) delete status;
  job->callback.Release();
  delete job;
  return nullptr;
}

Napi::Value WaitPidfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pidfd;
  if (!GetInt(info, 0, &pidfd)) return {};
  if (info.Length() < 2 || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "argument 1 must be a function").ThrowAsJavaScriptException();
    return {};
  }
  auto* job = new WaitJob{ExitCallback::New(env, info[1].As<Napi::Function>(),
                                            "netns-native:waitPidfd", 0, 1),
                          pidfd};
  // The waiter blocks every signal (it inherits the mask it is created with),
  // so process signals keep going to the threads Node expects.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_t thread;
  int err = pthread_create(&thread, nullptr, WaitThread, job);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (err != 0) {
    job->callback.Release();
    delete job;
    ThrowErrno(env, err, "pthread_create");
    return {};
  }
  pthread_detach(thread);
  return env.Undefined();
}

}  // namespace

void InitChildWait(Napi::Env env, Napi::Object exports) {
  exports.Set("waitPidfd", Napi::Function::New(env, WaitPidfd, "waitPidfd"));
}

}  // namespace netns

// clone3(2) a child that runs a list of steps prepared by TypeScript (setns,
// unshare, mount, umount2), puts its stdio in place and execs. Like fork in a
// multithreaded process, the child may only make system calls: every string
// and array it needs is built before the clone. Failures come back through a
// close-on-exec pipe as (step index, errno); the exec itself is step -1.
#include "clone.hh"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "errors.hh"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace netns {

namespace {

struct CloneArgs {  // struct clone_args, CLONE_ARGS_SIZE_VER0
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
      tls;
};

enum StepOp { kSetns, kUnshare, kMount, kUmount2 };

struct Step {
  StepOp op;
  int fd = -1;
  int flags = 0;  // nstype, unshare flags, umount2 flags
  unsigned long mount_flags = 0;
  std::string source, target, fstype, data;
  bool has_source = false, has_target = false, has_fstype = false,
       has_data = false;
  bool optional = false;  // a failure is skipped, as ip netns exec does
};

struct Spec {
  std::string file;
  std::vector<std::string> argv, envp;
  std::string cwd;
  bool has_cwd = false;
  int stdio[3] = {-1, -1, -1};
  uint64_t clone_flags = 0;
  std::vector<Step> steps;
};

struct Failure {
  int step;
  int err;
};

const char* StepName(const Step& step) {
  switch (step.op) {
    case kSetns: return "setns";
    case kUnshare: return "unshare";
    case kMount: return "mount";
    case kUmount2: return "umount2";
  }
  return "step";
}

bool GetStringList(Napi::Env env, Napi::Object spec, const char* key,
                   std::vector<std::string>* out) {
  Napi::Value value = spec.Get(key);
  if (!value.IsArray()) {
    Napi::TypeError::New(env, std::string(key) + " must be an array of strings")
        .ThrowAsJavaScriptException();
    return false;
  }
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) {
      Napi::TypeError::New(env, std::string(key) + " must be an array of strings")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->push_back(item.As<Napi::String>().Utf8Value());
  }
  return true;
}

void GetOptional(Napi::Object object, const char* key, std::string* out,
                 bool* present) {
  Napi::Value value = object.Get(key);
  *present = value.IsString();
  if (*present) *out = value.As<Napi::String>().Utf8Value();
}

int IntOf(Napi::Object object, const char* key, int fallback) {
  Napi::Value value = object.Get(key);
  return value.IsNumber() ? value.As<Napi::Number>().Int32Value() : fallback;
}

bool ReadSpec(Napi::Env env, Napi::Object object, Spec* spec) {
  Napi::Value file = object.Get("file");
  if (!file.IsString()) {
    Napi::TypeError::New(env, "file must be a string").ThrowAsJavaScriptException();
    return false;
  }
  spec->file = file.As<Napi::String>().Utf8Value();
  if (!GetStringList(env, object, "argv", &spec->argv) ||
      !GetStringList(env, object, "envp", &spec->envp)) {
    return false;
  }
  GetOptional(object, "cwd", &spec->cwd, &spec->has_cwd);
  Napi::Value stdio = object.Get("stdio");
  if (stdio.IsArray()) {
    Napi::Array array = stdio.As<Napi::Array>();
    for (uint32_t i = 0; i < 3 && i < array.Length(); i++) {
      Napi::Value fd = array.Get(i);
      spec->stdio[i] = fd.IsNumber() ? fd.As<Napi::Number>().Int32Value() : -1;
    }
  }
  Napi::Value flags = object.Get("cloneFlags");
  if (flags.IsNumber()) spec->clone_flags = flags.As<Napi::Number>().Int64Value();
  Napi::Value steps = object.Get("steps");
  if (!steps.IsArray()) return true;
  Napi::Array array = steps.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value value = array.Get(i);
    if (!value.IsObject() || !value.As<Napi::Object>().Get("op").IsString()) {
      Napi::TypeError::New(env, "steps must be objects with an op")
          .ThrowAsJavaScriptException();
      return false;
    }
    Napi::Object item = value.As<Napi::Object>();
    std::string op = item.Get("op").As<Napi::String>().Utf8Value();
    Step step;
    if (op == "setns") step.op = kSetns;
    else if (op == "unshare") step.op = kUnshare;
    else if (op == "mount") step.op = kMount;
    else if (op == "umount2") step.op = kUmount2;
    else {
      Napi::TypeError::New(env, "unknown step " + op).ThrowAsJavaScriptException();
      return false;
    }
    step.fd = IntOf(item, "fd", -1);
    step.flags = IntOf(item, "flags", 0);
    Napi::Value mount_flags = item.Get("mountFlags");
    if (mount_flags.IsNumber()) {
      step.mount_flags = mount_flags.As<Napi::Number>().Int64Value();
    }
    GetOptional(item, "source", &step.source, &step.has_source);
    GetOptional(item, "target", &step.target, &step.has_target);
    GetOptional(item, "fstype", &step.fstype, &step.has_fstype);
    GetOptional(item, "data", &step.data, &step.has_data);
    step.optional = item.Get("optional").ToBoolean().Value();
    spec->steps.push_back(std::move(step));
  }
  return true;
}

// --- In the child: system calls only. ---------------------------------------

[[noreturn]] void ChildFail(int pipe_fd, int step, int err) {
  Failure failure = {step, err};
  ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

int RunStep(const Step& step) {
  switch (step.op) {
    case kSetns: return setns(step.fd, step.flags);
    case kUnshare: return unshare(step.flags);
    case kMount:
      return mount(step.has_source ? step.source.c_str() : nullptr,
                   step.target.c_str(),
                   step.has_fstype ? step.fstype.c_str() : nullptr,
                   step.mount_flags, step.has_data ? step.data.c_str() : nullptr);
    case kUmount2: return umount2(step.target.c_str(), step.flags);
  }
  errno = EINVAL;
  return -1;
}

[[noreturn]] void RunChild(const Spec& spec, char* const* argv, char* const* envp,
                           int pipe_fd) {
  // Signals are all blocked here (see Clone). Node ignores SIGPIPE and has
  // handlers installed: reset every disposition, then unblock, as libuv's
  // spawn does, so the program starts with a clean slate.
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (size_t i = 0; i < spec.steps.size(); i++) {
    if (RunStep(spec.steps[i]) != 0 && !spec.steps[i].optional) {
      ChildFail(pipe_fd, static_cast<int>(i), errno);
    }
  }
  for (int target = 0; target < 3; target++) {
    int fd = spec.stdio[target];
    if (fd >= 0) {
      // dup2 onto itself would keep close-on-exec: clear it instead.
      int result = fd == target ? fcntl(fd, F_SETFD, 0) : dup2(fd, target);
      if (result < 0) ChildFail(pipe_fd, -2, errno);
    }
    // Node may have made an inherited stdio fd non-blocking; programs expect
    // blocking stdio (libuv's spawn clears it the same way).
    int flags = fcntl(target, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(target, F_SETFL, flags & ~O_NONBLOCK);
  }
  if (spec.has_cwd && chdir(spec.cwd.c_str()) != 0) ChildFail(pipe_fd, -3, errno);
  execve(spec.file.c_str(), argv, envp);
  ChildFail(pipe_fd, -1, errno);
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// --- In the parent. --------------------------------------------------------

void ThrowChildFailure(Napi::Env env, const Spec& spec, const Failure& failure) {
  if (failure.step >= 0) {
    const Step& step = spec.steps[failure.step];
    const char* path = step.has_target ? step.target.c_str() : nullptr;
    ThrowErrno(env, failure.err, StepName(step), path);
  } else if (failure.step == -1) {
    ThrowErrno(env, failure.err, "execve", spec.file.c_str());
  } else if (failure.step == -2) {
    ThrowErrno(env, failure.err, "dup2");
  } else {
    ThrowErrno(env, failure.err, "chdir", spec.cwd.c_str());
  }
}

// clone(spec) -> { pid, pidfd }; throws if a step or the exec failed (the
// child is reaped then).
Napi::Value Clone(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "argument 0 must be an object").ThrowAsJavaScriptException();
    return {};
  }
  Spec spec;
  if (!ReadSpec(env, info[0].As<Napi::Object>(), &spec)) return {};
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.envp);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    ThrowErrno(env, errno, "pipe2");
    return {};
  }
  int pidfd = -1;
  CloneArgs args = {};
  args.flags = spec.clone_flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  // Block every signal across the clone, as libuv's spawn does: until the
  // child has reset the dispositions, a signal would run Node's handlers
  // (which write to pipes shared with this process) in the child.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    close(report[0]);
    RunChild(spec, argv.data(), envp.data(), report[1]);
  }
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    ThrowErrno(env, clone_errno, "clone3");
    return {};
  }
  Failure failure;
  ssize_t got;
  do {
    got = read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == sizeof failure) {
    siginfo_t status;
    while (waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &status, WEXITED) != 0 &&
           errno == EINTR) {
    }
    close(pidfd);
    ThrowChildFailure(env, spec, failure);
    return {};
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, static_cast<double>(pid)));
  result.Set("pidfd", Napi::Number::New(env, pidfd));
  return result;
}

}  // namespace

void InitClone(Napi::Env env, Napi::Object exports) {
  exports.Set("clone", Napi::Function::New(env, Clone, "clone"));
}

}  // namespace netns

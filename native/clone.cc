// clone3(spec) and clone(spec): a child that runs the steps prepared by
// TypeScript (setns, unshare, mount, umount2), puts its stdio in place and
// execs. clone3 is the normal way; clone with CLONE_PIDFD (Linux 5.2+) is
// the fallback where clone3 is refused (ENOSYS: Docker's default seccomp
// profile, valgrind, older kernels). Both return { pid, pidfd }. A failing
// step or exec comes back through a close-on-exec pipe as (step, errno), and
// the child is reaped before the failure is returned.
#include "clone.hh"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "args.hh"
#include "clone-child.hh"
#include "clone-spec.hh"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace netns {

namespace {

struct Clone3Args {  // struct clone_args, CLONE_ARGS_SIZE_VER0
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
      tls;
};

enum class Variant { kClone3, kClone };

long CloneSyscall(Variant variant, uint64_t flags, int* pidfd) {
  if (variant == Variant::kClone3) {
    Clone3Args args = {};
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uintptr_t>(pidfd);
    args.exit_signal = SIGCHLD;
    return syscall(SYS_clone3, &args, sizeof args);
  }
  // No stack: the child goes on, like fork, on a copy of this one. With
  // CLONE_PIDFD the pidfd is written where the parent tid would be (the
  // third argument on every architecture's clone).
  return syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, nullptr, pidfd,
                 nullptr, nullptr);
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) {
    pointers.push_back(const_cast<char*>(s.c_str()));
  }
  pointers.push_back(nullptr);
  return pointers;
}

Napi::Value ChildFailed(Napi::Env env, const CloneSpec& spec,
                        const ChildFailure& failure) {
  if (failure.step >= 0 &&
      static_cast<size_t>(failure.step) < spec.steps.size()) {
    const CloneStep& step = spec.steps[failure.step];
    return Failure(env, failure.err, StepSyscall(step),
                   step.has_target ? step.target.c_str() : nullptr);
  }
  switch (failure.step) {
    case kStepExec:
      return Failure(env, failure.err, "execve", spec.file.c_str());
    case kStepChdir:
      return Failure(env, failure.err, "chdir", spec.cwd.c_str());
    default: return Failure(env, failure.err, "dup2");
  }
}

Napi::Value Clone(const Napi::CallbackInfo& info, Variant variant) {
  Napi::Env env = info.Env();
  const char* name = variant == Variant::kClone3 ? "clone3" : "clone";
  Reader reader(info);
  CloneSpec spec;
  if (!ReadCloneSpec(reader, &spec)) return reader.Error();
  // clone() keeps its exit signal in the low byte, where CLONE_NEWTIME is.
  if (variant == Variant::kClone && (spec.clone_flags & CLONE_NEWTIME) != 0) {
    return Failure(env, EINVAL, name);
  }
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.envp);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return Failure(env, errno, "pipe2");
  int pidfd = -1;
  // Block every signal across the clone, as libuv's spawn does: until the
  // child has reset the dispositions, a signal would run Node's handlers
  // (which write to pipes shared with this process) in the child.
  // sigprocmask, not pthread_sigmask: on Linux it masks the calling thread
  // alone all the same, and glibc 2.32 gave pthread_sigmask a new symbol
  // version that no older glibc could load.
  sigset_t all, previous;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &previous) != 0) {
    int err = errno;
    close(report[0]);
    close(report[1]);
    return Failure(env, err, "sigprocmask");
  }
  long pid = CloneSyscall(variant, spec.clone_flags, &pidfd);
  if (pid == 0) {
    close(report[0]);
    RunClonedChild(spec, argv.data(), envp.data(), report[1]);
  }
  int clone_errno = errno;
  // Restoring a mask read a moment ago cannot fail (EINVAL is for a bad how).
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    return Failure(env, clone_errno, name);
  }
  ChildFailure failure;
  ssize_t got =
      RetryOnEintr([&] { return read(report[0], &failure, sizeof failure); });
  close(report[0]);
  if (got == sizeof failure) {
    siginfo_t status;
    RetryOnEintr([&] {
      return waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &status, WEXITED);
    });
    close(pidfd);
    return ChildFailed(env, spec, failure);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, static_cast<double>(pid)));
  result.Set("pidfd", Napi::Number::New(env, pidfd));
  return result;
}

Napi::Value Clone3(const Napi::CallbackInfo& info) {
  return Clone(info, Variant::kClone3);
}

Napi::Value CloneLegacy(const Napi::CallbackInfo& info) {
  return Clone(info, Variant::kClone);
}

}  // namespace

void InitClone(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "clone3", Clone3);
  Register(env, exports, "clone", CloneLegacy);
}

}  // namespace netns

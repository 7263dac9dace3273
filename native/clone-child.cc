#include "clone-child.hh"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

namespace netns {

namespace {

[[noreturn]] void Fail(int report, int step, int err) {
  ChildFailure failure = {step, err};
  ssize_t ignored = write(report, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

int RunStep(const CloneStep& step) {
  switch (step.op) {
    case StepOp::kSetns: return setns(step.fd, step.flags);
    case StepOp::kUnshare: return unshare(step.flags);
    case StepOp::kMount:
      return mount(
          step.has_source ? step.source.c_str() : nullptr, step.target.c_str(),
          step.has_fstype ? step.fstype.c_str() : nullptr, step.mount_flags,
          step.has_data ? step.data.c_str() : nullptr);
    case StepOp::kUmount2: return umount2(step.target.c_str(), step.flags);
  }
  errno = EINVAL;
  return -1;
}

// Puts spec.stdio in place. A source that is itself one of 0-2 is first
// moved out of the way (as libuv does), so a permutation such as [1, 0, 2]
// gives every target the stream that was asked for.
void PlaceStdio(const CloneSpec& spec, int report) {
  int source[3];
  for (int target = 0; target < 3; target++) {
    source[target] = spec.stdio[target];
    if (source[target] >= 0 && source[target] < 3 && source[target] != target) {
      source[target] = fcntl(source[target], F_DUPFD_CLOEXEC, 3);
      if (source[target] < 0) Fail(report, kStepStdio, errno);
    }
  }
  for (int target = 0; target < 3; target++) {
    int fd = source[target];
    if (fd >= 0) {
      // dup2 onto itself would keep close-on-exec: clear it instead.
      int result = fd == target ? fcntl(fd, F_SETFD, 0) : dup2(fd, target);
      if (result < 0) Fail(report, kStepStdio, errno);
    }
    // Node may have made an inherited stdio fd non-blocking; programs expect
    // blocking stdio (libuv's spawn clears it the same way).
    int flags = fcntl(target, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) {
      fcntl(target, F_SETFL, flags & ~O_NONBLOCK);
    }
  }
}

}  // namespace

void RunClonedChild(const CloneSpec& spec, char* const* argv, char* const* envp,
                    int report) {
  // Signals are all blocked here (see clone.cc). Node ignores SIGPIPE and has
  // handlers installed: reset every disposition, then unblock, as libuv's
  // spawn does, so the program starts with a clean slate.
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (size_t i = 0; i < spec.steps.size(); i++) {
    if (RunStep(spec.steps[i]) != 0 && !spec.steps[i].optional) {
      Fail(report, static_cast<int>(i), errno);
    }
  }
  PlaceStdio(spec, report);
  if (spec.has_cwd && chdir(spec.cwd.c_str()) != 0) {
    Fail(report, kStepChdir, errno);
  }
  execve(spec.file.c_str(), argv, envp);
  Fail(report, kStepExec, errno);
}

}  // namespace netns

// The cloned child's side: system calls only, then exec. A failure is
// written to `report` as (step, errno) and the child exits 127.
#pragma once
#include "clone-spec.hh"

namespace netns {

// Step numbers beyond the spec's steps, for what the child does after them.
constexpr int kStepExec = -1;
constexpr int kStepStdio = -2;
constexpr int kStepChdir = -3;

struct ChildFailure {
  int step;
  int err;
};

[[noreturn]] void RunClonedChild(const CloneSpec& spec, char* const* argv,
                                 char* const* envp, int report);

}  // namespace netns

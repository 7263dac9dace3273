// What a cloned child does before exec, read from JavaScript in full before
// the clone: the child may only make system calls (as after fork in a
// multithreaded process), so every string it needs exists beforehand.
#pragma once
#include <stdint.h>

#include <string>
#include <vector>

#include "args.hh"

namespace netns {

enum class StepOp { kSetns, kUnshare, kMount, kUmount2 };

struct CloneStep {
  StepOp op = StepOp::kSetns;
  int fd = -1;
  int flags = 0;  // nstype, unshare flags or umount2 flags
  uint64_t mount_flags = 0;
  std::string source, target, fstype, data;
  bool has_source = false, has_target = false, has_fstype = false,
       has_data = false;
  bool optional = false;  // a failure is skipped, as ip netns exec does
};

struct CloneSpec {
  std::string file;
  std::vector<std::string> argv, envp;
  std::string cwd;
  bool has_cwd = false;
  int stdio[3] = {-1, -1, -1};
  uint64_t clone_flags = 0;
  std::vector<CloneStep> steps;
};

// Namespace-creating flags: the only clone flags accepted. Any other flag
// (CLONE_VM, CLONE_FILES, CLONE_FS, CLONE_SETTLS, ...) would share or corrupt
// this process's state in a child that runs no runtime of its own.
uint64_t AllowedCloneFlags();

// Reads spec (argument 0), accepting exactly what lib/binding.ts's CloneSpec
// type says; false with reader.Error() set otherwise.
bool ReadCloneSpec(Reader& reader, CloneSpec* spec);

const char* StepSyscall(const CloneStep& step);

}  // namespace netns

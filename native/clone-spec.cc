#include "clone-spec.hh"

#include <sched.h>

namespace netns {

namespace {

bool ReadStep(Reader& reader, Napi::Value value, const std::string& what,
              CloneStep* step) {
  if (!value.IsObject() || value.IsArray()) {
    return reader.Refuse(what + " must be an object");
  }
  Napi::Object item = value.As<Napi::Object>();
  std::string op;
  if (!reader.FieldString(item, "op", what + ".op", true, &op, nullptr) ||
      !reader.FieldBool(item, "optional", what + ".optional",
                        &step->optional)) {
    return false;
  }
  if (op == "setns") {
    step->op = StepOp::kSetns;
    return reader.FieldInt(item, "fd", what + ".fd", true, &step->fd, nullptr,
                           0) &&
           reader.FieldInt(item, "flags", what + ".flags", true, &step->flags,
                           nullptr);
  }
  if (op == "unshare") {
    step->op = StepOp::kUnshare;
    return reader.FieldInt(item, "flags", what + ".flags", true, &step->flags,
                           nullptr);
  }
  if (op == "mount") {
    step->op = StepOp::kMount;
    return reader.FieldString(item, "source", what + ".source", false,
                              &step->source, &step->has_source) &&
           reader.FieldString(item, "target", what + ".target", true,
                              &step->target, &step->has_target) &&
           reader.FieldString(item, "fstype", what + ".fstype", false,
                              &step->fstype, &step->has_fstype) &&
           reader.FieldUint64(item, "mountFlags", what + ".mountFlags", true,
                              &step->mount_flags) &&
           reader.FieldString(item, "data", what + ".data", false, &step->data,
                              &step->has_data);
  }
  if (op == "umount2") {
    step->op = StepOp::kUmount2;
    return reader.FieldString(item, "target", what + ".target", true,
                              &step->target, &step->has_target) &&
           reader.FieldInt(item, "flags", what + ".flags", true, &step->flags,
                           nullptr);
  }
  return reader.Refuse(what + ".op must be 'setns', 'unshare', 'mount' or " +
                       "'umount2', got '" + op + "'");
}

bool ReadStdio(Reader& reader, Napi::Object object, CloneSpec* spec) {
  Napi::Array stdio;
  bool present;
  if (!reader.FieldArray(object, "stdio", "spec.stdio", &stdio, &present)) {
    return false;
  }
  if (!present) return true;
  if (stdio.Length() != 3) {
    return reader.Refuse(
        "spec.stdio must have exactly 3 entries (fds for 0, 1, 2)");
  }
  for (uint32_t i = 0; i < 3; i++) {
    Napi::Value fd;
    std::string what = "spec.stdio[" + std::to_string(i) + "]";
    if (!reader.Element(stdio, i, &fd) ||
        !reader.IntValue(fd, what, &spec->stdio[i], -1)) {
      return false;
    }
  }
  return true;
}

bool ReadSteps(Reader& reader, Napi::Object object, CloneSpec* spec) {
  Napi::Array steps;
  bool present;
  if (!reader.FieldArray(object, "steps", "spec.steps", &steps, &present)) {
    return false;
  }
  if (!present) return true;
  uint32_t count = steps.Length();
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value value;
    CloneStep step;
    if (!reader.Element(steps, i, &value) ||
        !ReadStep(reader, value, "spec.steps[" + std::to_string(i) + "]",
                  &step)) {
      return false;
    }
    spec->steps.push_back(std::move(step));
  }
  return true;
}

}  // namespace

uint64_t AllowedCloneFlags() {
  return CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
         CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWTIME;
}

bool ReadCloneSpec(Reader& reader, CloneSpec* spec) {
  Napi::Object object;
  int flags = 0;
  bool has_flags;
  if (!reader.Object(0, &object) ||
      !reader.FieldString(object, "file", "spec.file", true, &spec->file,
                          nullptr) ||
      !reader.FieldStringList(object, "argv", "spec.argv", &spec->argv) ||
      !reader.FieldStringList(object, "envp", "spec.envp", &spec->envp) ||
      !reader.FieldString(object, "cwd", "spec.cwd", false, &spec->cwd,
                          &spec->has_cwd) ||
      !ReadStdio(reader, object, spec) ||
      !reader.FieldInt(object, "cloneFlags", "spec.cloneFlags", false, &flags,
                       &has_flags, 0) ||
      !ReadSteps(reader, object, spec)) {
    return false;
  }
  if (spec->argv.empty())
    return reader.Refuse("spec.argv must hold at least argv[0]");
  spec->clone_flags = static_cast<uint64_t>(flags);
  if ((spec->clone_flags & ~AllowedCloneFlags()) != 0) {
    return reader.Refuse(
        "spec.cloneFlags may hold only CLONE_NEW* flags (namespaces)", true);
  }
  return true;
}

const char* StepSyscall(const CloneStep& step) {
  switch (step.op) {
    case StepOp::kSetns: return "setns";
    case StepOp::kUnshare: return "unshare";
    case StepOp::kMount: return "mount";
    case StepOp::kUmount2: return "umount2";
  }
  return "step";
}

}  // namespace netns

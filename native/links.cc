// Reading directories and links, for scans of every process (parsed in
// lib/proc/proc-dir.ts): getdents64(2) for the entries of /proc, readlink(2)
// for /proc/PID/ns/net (`net:[INO]`). Both work on buffers the caller
// reuses, and a failure is returned rather than thrown, so a process that
// exited or hides its namespace costs no exception. node:fs's readdirSync
// sorts the names and makes a string of each, and its readlinkSync makes
// strings both ways and throws: together more than the kernel's own work.
#include "links.hh"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "args.hh"

namespace netns {

namespace {

// readlink(path, buffer) -> bytes written into buffer. The path is bytes
// ending in a NUL and the answer is left in the buffer, so a scan of every
// process makes no string on either side. An answer that fills the buffer
// may have been cut: that is ENAMETOOLONG, never part of a link.
Napi::Value Readlink(const Napi::CallbackInfo& info) {
  Reader args(info);
  uint8_t* path;
  size_t pathLength;
  uint8_t* buffer;
  size_t length;
  if (!args.Bytes(0, &path, &pathLength) || !args.Bytes(1, &buffer, &length))
    return args.Error();
  if (memchr(path, 0, pathLength) == nullptr) {
    args.Refuse("readlink() path must end with a NUL byte");
    return args.Error();
  }
  const char* name = reinterpret_cast<const char*>(path);
  ssize_t written = readlink(name, reinterpret_cast<char*>(buffer), length);
  if (written < 0) return Failure(info.Env(), errno, "readlink", name);
  if (static_cast<size_t>(written) == length)
    return Failure(info.Env(), ENAMETOOLONG, "readlink", name);
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

// getdents64(fd, buffer) -> bytes of struct linux_dirent64 written (0 at
// the end of the directory).
Napi::Value Getdents64(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  uint8_t* data;
  size_t length;
  if (!args.Int(0, &fd, 0) || !args.Bytes(1, &data, &length))
    return args.Error();
  long result =
      RetryOnEintr([&] { return syscall(SYS_getdents64, fd, data, length); });
  return CheckNumber(info.Env(), result, "getdents64");
}

}  // namespace

void InitLinks(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "readlink", Readlink);
  Register(env, exports, "getdents64", Getdents64);
}

}  // namespace netns

// Looking at files without node:fs's per-call objects, for scans of every
// process and for the few lookups each named namespace takes:
// getdents64(2) for the entries of /proc and readlink(2) for
// /proc/PID/ns/net (`net:[INO]`), both on buffers the caller reuses (parsed
// in lib/proc/proc-dir.ts), and statx(2) for a file's identity. A failure is
// returned rather than thrown, so a process that exited or hides its
// namespace costs no exception. node:fs's readdirSync sorts the names and
// makes a string of each, its readlinkSync makes strings both ways and
// throws, and its stat builds a Stats with four Dates: each more than the
// kernel's own work.
#include "lookups.hh"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

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

// statx(dirfd, path, flags, out): writes [dev, ino, mode, uid, size] into
// the Float64Array `out`, where returning a new array for each answer made a
// call from JS 1.8 us against 1.0 (the system call alone: 0.33): what
// identifies a file, who owns it, and its size (-1 when not given; for
// /proc/PID/fd, Linux 6.2+: the fds open). dev is makedev(major, minor), as
// libuv makes node:fs's Stats.dev, so the two compare equal.
Napi::Value Statx(const Napi::CallbackInfo& info) {
  Reader args(info);
  int dirfd;
  std::string path;
  int flags;
  double* out;
  if (!args.Int(0, &dirfd) || !args.String(1, &path) || !args.Int(2, &flags) ||
      !args.Doubles(3, 5, &out))
    return args.Error();
  struct statx st;
  unsigned mask = STATX_TYPE | STATX_MODE | STATX_INO | STATX_UID | STATX_SIZE;
  if (statx(dirfd, path.c_str(), flags, mask, &st) != 0)
    return Failure(info.Env(), errno, "statx", path.c_str());
  out[0] = static_cast<double>(makedev(st.stx_dev_major, st.stx_dev_minor));
  out[1] = static_cast<double>(st.stx_ino);
  out[2] = st.stx_mode;
  out[3] = st.stx_uid;
  // -1: the filesystem did not say (no caller may take that for a size of 0).
  out[4] = (st.stx_mask & STATX_SIZE) ? static_cast<double>(st.stx_size) : -1;
  return info.Env().Undefined();
}

}  // namespace

void InitLookups(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "readlink", Readlink);
  Register(env, exports, "getdents64", Getdents64);
  Register(env, exports, "statx", Statx);
}

}  // namespace netns

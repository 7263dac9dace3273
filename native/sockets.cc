// socket(2), bind(2) and setsockopt(2) with an int value, one to one. A
// socket belongs forever to the network namespace of the thread that made it,
// which is why these exist: Node makes its sockets later, elsewhere.
#include "sockets.hh"

#include <errno.h>
#include <sys/socket.h>

#include "errors.hh"

namespace netns {

// socket(domain, type, protocol): SOCK_CLOEXEC is always added.
static Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain, type, protocol;
  if (!GetInt(info, 0, &domain) || !GetInt(info, 1, &type) ||
      !GetInt(info, 2, &protocol)) {
    return {};
  }
  int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    ThrowErrno(info.Env(), errno, "socket");
    return {};
  }
  return Napi::Number::New(info.Env(), fd);
}

// bind(fd, address): `address` holds the raw struct sockaddr bytes.
static Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetInt(info, 0, &fd)) return {};
  if (info.Length() < 2 || !info[1].IsBuffer()) {
    Napi::TypeError::New(info.Env(), "argument 1 must be a Buffer")
        .ThrowAsJavaScriptException();
    return {};
  }
  auto address = info[1].As<Napi::Buffer<uint8_t>>();
  if (bind(fd, reinterpret_cast<const struct sockaddr*>(address.Data()),
           static_cast<socklen_t>(address.Length())) != 0) {
    ThrowErrno(info.Env(), errno, "bind");
  }
  return info.Env().Undefined();
}

static Napi::Value SetsockoptInt(const Napi::CallbackInfo& info) {
  int fd, level, name, value;
  if (!GetInt(info, 0, &fd) || !GetInt(info, 1, &level) ||
      !GetInt(info, 2, &name) || !GetInt(info, 3, &value)) {
    return {};
  }
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
    ThrowErrno(info.Env(), errno, "setsockopt");
  }
  return info.Env().Undefined();
}

void InitSockets(Napi::Env env, Napi::Object exports) {
  exports.Set("socket", Napi::Function::New(env, Socket, "socket"));
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  exports.Set("setsockoptInt", Napi::Function::New(env, SetsockoptInt, "setsockoptInt"));
}

}  // namespace netns

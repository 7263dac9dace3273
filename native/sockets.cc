// socket(2), bind(2), setsockopt(2) and getsockopt(2) with an int, send(2),
// recv(2) and the SIOCGSKNS ioctl, one to one. A socket belongs forever to
// the network namespace of the thread that made it, which is why these
// exist: Node makes its sockets later, elsewhere. The netlink transport
// (lib/rtnl) is built on send and recv: this layer moves bytes and never reads
// them.
#include "sockets.hh"

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "args.hh"

namespace netns {

namespace {

// socket(domain, type, protocol): SOCK_CLOEXEC is always added.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  Reader args(info);
  int domain, type, protocol;
  if (!args.Int(0, &domain) || !args.Int(1, &type) || !args.Int(2, &protocol)) {
    return args.Error();
  }
  return CheckNumber(info.Env(), socket(domain, type | SOCK_CLOEXEC, protocol),
                     "socket");
}

// bind(fd, address): `address` holds the raw struct sockaddr bytes.
Napi::Value Bind(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  uint8_t* address;
  size_t length;
  if (!args.Int(0, &fd) || !args.Bytes(1, &address, &length)) {
    return args.Error();
  }
  int result = bind(fd, reinterpret_cast<const sockaddr*>(address),
                    static_cast<socklen_t>(length));
  return CheckVoid(info.Env(), result, "bind");
}

// setsockoptInt(fd, level, name, value) -> undefined.
Napi::Value SetsockoptInt(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd, level, name, value;
  if (!args.Int(0, &fd) || !args.Int(1, &level) || !args.Int(2, &name) ||
      !args.Int(3, &value)) {
    return args.Error();
  }
  return CheckVoid(info.Env(),
                   setsockopt(fd, level, name, &value, sizeof value),
                   "setsockopt");
}

// getsockoptInt(fd, level, name) -> the option's int value (the effective
// SO_RCVBUF, say).
Napi::Value GetsockoptInt(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd, level, name;
  if (!args.Int(0, &fd) || !args.Int(1, &level) || !args.Int(2, &name)) {
    return args.Error();
  }
  int value = 0;
  socklen_t size = sizeof value;
  if (getsockopt(fd, level, name, &value, &size) != 0) {
    return Failure(info.Env(), errno, "getsockopt");
  }
  return Napi::Number::New(info.Env(), value);
}

// (fd, bytes, flags) -> how many bytes `transfer` moved, retried on EINTR.
template <typename Transfer>
Napi::Value MoveBytes(const Napi::CallbackInfo& info, const char* name,
                      Transfer transfer) {
  Reader args(info);
  int fd, flags;
  uint8_t* data;
  size_t length;
  if (!args.Int(0, &fd) || !args.Bytes(1, &data, &length) ||
      !args.Int(2, &flags)) {
    return args.Error();
  }
  ssize_t moved =
      RetryOnEintr([&] { return transfer(fd, data, length, flags); });
  return CheckNumber(info.Env(), moved, name);
}

// send(fd, bytes, flags) -> bytes sent.
Napi::Value Send(const Napi::CallbackInfo& info) {
  return MoveBytes(info, "send",
                   [](int fd, uint8_t* data, size_t length, int flags) {
                     return send(fd, data, length, flags);
                   });
}

// recv(fd, buffer, flags) -> bytes received; with MSG_TRUNC, the datagram's
// real length even when the buffer was smaller.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  return MoveBytes(info, "recv",
                   [](int fd, uint8_t* data, size_t length, int flags) {
                     return recv(fd, data, length, flags);
                   });
}

// ioctl(SIOCGSKNS): a new close-on-exec nsfs fd on the socket's namespace.
Napi::Value SocketNetns(const Napi::CallbackInfo& info) {
  Reader args(info);
  int fd;
  if (!args.Int(0, &fd)) return args.Error();
  return CheckNumber(info.Env(), ioctl(fd, SIOCGSKNS), "ioctl(SIOCGSKNS)");
}

}  // namespace

void InitSockets(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "socket", Socket);
  Register(env, exports, "bind", Bind);
  Register(env, exports, "setsockoptInt", SetsockoptInt);
  Register(env, exports, "getsockoptInt", GetsockoptInt);
  Register(env, exports, "send", Send);
  Register(env, exports, "recv", Recv);
  Register(env, exports, "socketNetns", SocketNetns);
}

}  // namespace netns

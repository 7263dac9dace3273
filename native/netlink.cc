// One netlink request and its first reply datagram, as raw bytes. The
// TypeScript layer builds and parses the messages; this only moves bytes.
// The socket is made on the calling thread, so it speaks for the calling
// thread's network namespace.
#include "netlink.hh"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <vector>

#include "errors.hh"

namespace netns {

static constexpr size_t kReplySize = 32768;

static Napi::Value NetlinkRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol;
  if (!GetInt(info, 0, &protocol)) return {};
  if (info.Length() < 2 || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "argument 1 must be a Buffer")
        .ThrowAsJavaScriptException();
    return {};
  }
  Napi::Buffer<uint8_t> request = info[1].As<Napi::Buffer<uint8_t>>();

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    ThrowErrno(env, errno, "socket");
    return {};
  }
  // The kernel answers these requests at once; never hang the thread.
  struct timeval timeout = {2, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, err, "setsockopt");
    return {};
  }
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, request.Data(), request.Length(), 0,
                  reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, err, "sendto");
    return {};
  }
  std::vector<uint8_t> reply(kReplySize);
  ssize_t received;
  do {
    received = recv(fd, reply.data(), reply.size(), 0);
  } while (received < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (received < 0) {
    ThrowErrno(env, err, "recv");
    return {};
  }
  return Napi::Buffer<uint8_t>::Copy(env, reply.data(), received);
}

void InitNetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("netlinkRequest",
              Napi::Function::New(env, NetlinkRequest, "netlinkRequest"));
}

}  // namespace netns

// What a netlink event subscription needs beyond send/recv, thin as the
// rest: recvmsg(2) that also returns the sender's nsid (the SOL_NETLINK
// NETLINK_LISTEN_ALL_NSID control message), the option numbers, and a
// readable-fd watch on this environment's event loop (poll-watch.hh, as the
// pidfd watch). getsockopt(2) lives with setsockopt(2) in sockets.cc. Policy
// (what to read, when, what an overrun means) lives in lib/watch.
#include "netlink-events.hh"

#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include <optional>

#include "args.hh"
#include "poll-watch.hh"

#ifndef NETLINK_LISTEN_ALL_NSID
#define NETLINK_LISTEN_ALL_NSID 8
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace netns {

namespace {

// recvmsgNsid(fd, buffer, flags) -> { length, nsid?, truncated } or a
// failure (ENOBUFS after an overrun, EAGAIN when nothing is queued).
// `length` is the datagram's real size (MSG_TRUNC is always asked), so a
// datagram larger than `buffer` shows as truncated. `nsid` is absent when
// the message came from the listener's own namespace.
Napi::Value RecvmsgNsid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Reader args(info);
  int fd, flags;
  uint8_t* data;
  size_t length;
  if (!args.Int(0, &fd) || !args.Bytes(1, &data, &length) ||
      !args.Int(2, &flags)) {
    return args.Error();
  }
  iovec vector = {data, length};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 2];
  msghdr message = {};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got =
      RetryOnEintr([&] { return recvmsg(fd, &message, flags | MSG_TRUNC); });
  if (got < 0) return Failure(env, errno, "recvmsg");
  Napi::Object result = Napi::Object::New(env);
  result.Set("length", Napi::Number::New(env, static_cast<double>(got)));
  result.Set("truncated",
             Napi::Boolean::New(env, static_cast<size_t>(got) > length));
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_NETLINK &&
        header->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
        header->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int nsid;
      memcpy(&nsid, CMSG_DATA(header), sizeof nsid);
      result.Set("nsid", Napi::Number::New(env, nsid));
    }
  }
  return result;
}

// Calls back each time an fd is readable, until stopped. It polls its own
// duplicate of the fd, which start() returns: the caller may close theirs
// and use the duplicate, which the watch closes when stopped or when its
// environment is torn down (a worker's end, terminate() too), so neither a
// callback nor the fd outlives it.
class FdWatch : public Napi::ObjectWrap<FdWatch>, public PollWatch {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatch",
                       {InstanceMethod<&FdWatch::Start>("start"),
                        InstanceMethod("ref", &FdWatch::RefLoop),
                        InstanceMethod("unref", &FdWatch::UnrefLoop),
                        InstanceMethod("stop", &FdWatch::Stop)});
  }

  explicit FdWatch(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<FdWatch>(info), PollWatch("FdWatch", info[0]) {}

 private:
  // start(fd) -> the duplicate it polls, or a failure.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Reader args(info);
    int fd;
    if (!args.Int(0, &fd, 0)) return args.Error();
    Napi::Value refused = CheckStart(env);
    if (!refused.IsEmpty()) return refused;
    Napi::Value polled = Poll(env, Value(), fd);
    if (!polled.IsUndefined()) return polled;
    return Napi::Number::New(env, this->fd());
  }

  // Readable (status 0) or a poll error (status < 0): the callback is given
  // null or the errno, and reads (or stops) itself. A socket with a pending
  // error (a netlink overrun: ENOBUFS) polls as POLLERR, which libuv answers
  // by stopping the poll and reporting UV_EBADF; the callback's read takes
  // the error off the socket, and polling resumes. Should it not, the
  // callback hears why (the duplicate stays open until stop()).
  void OnReadable(int status) override {
    CallBack({status < 0 ? std::optional<int>(status) : std::nullopt});
    if (status < 0 && watching()) {
      int err = Resume();
      if (err != 0) CallBack({err});
    }
  }
};

#define NETLINK_EVENT_CONSTANT(name) \
  constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)))

}  // namespace

void InitNetlinkEvents(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "recvmsgNsid", RecvmsgNsid);
  ExportFactory(env, exports, "watchFd", FdWatch::Define(env));
  Napi::Object constants = Napi::Object::New(env);
  NETLINK_EVENT_CONSTANT(NETLINK_ADD_MEMBERSHIP);
  NETLINK_EVENT_CONSTANT(NETLINK_NO_ENOBUFS);
  NETLINK_EVENT_CONSTANT(NETLINK_LISTEN_ALL_NSID);
  NETLINK_EVENT_CONSTANT(SO_RCVBUF);
  NETLINK_EVENT_CONSTANT(SO_RCVBUFFORCE);
  NETLINK_EVENT_CONSTANT(MSG_DONTWAIT);
  NETLINK_EVENT_CONSTANT(MSG_TRUNC);
  exports.Set("netlinkEventConstants", constants);
}

}  // namespace netns

// What a netlink event subscription needs beyond send/recv, thin as the
// rest: recvmsg(2) that also returns the sender's nsid (the SOL_NETLINK
// NETLINK_LISTEN_ALL_NSID control message), the option numbers, and a
// readable-fd watch on this environment's event loop (uv_poll_t, no thread)
// shaped like the pidfd watch. getsockopt(2) lives with setsockopt(2) in
// sockets.cc. Policy (what to read, when, what an overrun means) lives in
// lib/watch.
#include "netlink-events.hh"

#include <fcntl.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

#include "args.hh"

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
class FdWatch : public Napi::ObjectWrap<FdWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatch",
                       {InstanceMethod<&FdWatch::Start>("start"),
                        InstanceMethod<&FdWatch::RefLoop>("ref"),
                        InstanceMethod<&FdWatch::UnrefLoop>("unref"),
                        InstanceMethod<&FdWatch::Stop>("stop")});
  }

  explicit FdWatch(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<FdWatch>(info) {
    // A constructor can only report by throwing: checks wait for start().
    if (info[0].IsFunction()) {
      callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    }
  }

 private:
  enum class State { kIdle, kWatching, kClosing, kClosed };

  // start(fd) -> the duplicate it polls, or a failure.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Reader args(info);
    int fd;
    if (!args.Int(0, &fd, 0)) return args.Error();
    if (callback_.IsEmpty()) {
      return Napi::TypeError::New(env, "FdWatch needs a callback function")
          .Value();
    }
    if (state_ != State::kIdle) {
      return Napi::TypeError::New(env, "FdWatch was already started").Value();
    }
    uv_loop_t* loop;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      return Failure(env, EINVAL, "napi_get_uv_event_loop");
    }
    fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (fd_ < 0) return Failure(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
    int err = uv_poll_init(loop, &poll_, fd_);
    if (err != 0) {
      close(fd_);
      fd_ = -1;
      return Failure(env, -err, "uv_poll_init");
    }
    poll_.data = this;
    err = uv_poll_start(&poll_, UV_READABLE, OnReadable);
    if (err == 0 && napi_add_async_cleanup_hook(env, OnTeardown, this,
                                                &cleanup_) != napi_ok) {
      err = UV_ENOMEM;
    }
    Ref();  // the JS object, and so this, lives until the handle is closed
    state_ = State::kWatching;
    if (err != 0) {
      Close();
      return Failure(env, -err, "uv_poll_start");
    }
    context_ =
        std::make_unique<Napi::AsyncContext>(env, "netns-native:FdWatch");
    return Napi::Number::New(env, fd_);
  }

  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    if (state_ == State::kWatching)
      uv_ref(reinterpret_cast<uv_handle_t*>(&poll_));
    return info.Env().Undefined();
  }

  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    if (state_ == State::kWatching)
      uv_unref(reinterpret_cast<uv_handle_t*>(&poll_));
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  // Readable (status 0) or a poll error (status < 0): the callback is given
  // null or the errno, and reads (or stops) itself. A socket with a pending
  // error (a netlink overrun: ENOBUFS) polls as POLLERR, which libuv answers
  // by stopping the poll and reporting UV_EBADF; the callback's read takes
  // the error off the socket, and polling resumes.
  static void OnReadable(uv_poll_t* handle, int status, int) {
    auto* self = static_cast<FdWatch*>(handle->data);
    if (self->state_ != State::kWatching) return;
    self->CallBack(status);
    if (status < 0 && self->state_ == State::kWatching) {
      uv_poll_start(&self->poll_, UV_READABLE, OnReadable);
    }
  }

  // The plain C calls, each checked: while a worker is torn down its loop
  // still runs (to close handles) before the cleanup hook stops this watch,
  // and JavaScript can no longer be called; node-addon-api's wrappers would
  // then make a fatal error of the refusal, and here it is only skipped.
  void CallBack(int status) {
    napi_env env = Env();
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value error;
    napi_value receiver = Value();
    bool made = status < 0 ? napi_create_int32(env, status, &error) == napi_ok
                           : napi_get_null(env, &error) == napi_ok;
    napi_value result;
    if (made && receiver != nullptr &&
        napi_make_callback(env, *context_, receiver, callback_.Value(), 1,
                           &error, &result) == napi_pending_exception) {
      // An exception from the callback is an uncaught exception of this
      // loop turn, as for an event of Node's own handles.
      napi_value exception;
      if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
        napi_fatal_exception(env, exception);
      }
    }
    napi_close_handle_scope(env, scope);
  }

  void Close() {
    if (state_ != State::kWatching) return;
    state_ = State::kClosing;
    uv_poll_stop(&poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_), OnClosed);
  }

  static void OnClosed(uv_handle_t* handle) {
    auto* self = static_cast<FdWatch*>(handle->data);
    close(self->fd_);
    self->fd_ = -1;
    self->state_ = State::kClosed;
    self->context_.reset();
    if (self->cleanup_ != nullptr) {
      napi_remove_async_cleanup_hook(self->cleanup_);
      self->cleanup_ = nullptr;
    }
    self->Unref();
  }

  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    static_cast<FdWatch*>(arg)->Close();
  }

  uv_poll_t poll_ = {};
  int fd_ = -1;
  State state_ = State::kIdle;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
};

// watchFd(callback) -> a new FdWatch (a factory: a class constructor called
// without `new` throws, and native code never throws). The constructor is
// the function's data, freed with the environment.
Napi::Value WatchFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* constructor = static_cast<Napi::FunctionReference*>(info.Data());
  Napi::Object watch = constructor->New({info[0]});
  if (env.IsExceptionPending()) {
    return env.GetAndClearPendingException().Value();
  }
  return watch;
}

void FreeConstructor(void* arg) {
  delete static_cast<Napi::FunctionReference*>(arg);
}

#define NETLINK_EVENT_CONSTANT(name) \
  constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)))

}  // namespace

void InitNetlinkEvents(Napi::Env env, Napi::Object exports) {
  Register(env, exports, "recvmsgNsid", RecvmsgNsid);
  auto* constructor =
      new Napi::FunctionReference(Napi::Persistent(FdWatch::Define(env)));
  if (napi_add_env_cleanup_hook(env, FreeConstructor, constructor) != napi_ok) {
    delete constructor;
    return;  // no watchFd: lib/watch reports it missing
  }
  exports.Set("watchFd",
              Napi::Function::New(env, WatchFd, "watchFd", constructor));
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

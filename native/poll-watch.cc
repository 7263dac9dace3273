#include "poll-watch.hh"

#include <fcntl.h>
#include <unistd.h>

#include <new>
#include <string>
#include <vector>

#include "args.hh"

namespace netns {

PollWatch::PollWatch(const char* name, Napi::Value callback)
    : name_(name), env_(callback.Env()) {
  if (callback.IsFunction()) {
    callback_ = Napi::Persistent(callback.As<Napi::Function>());
  }
}

Napi::Value PollWatch::CheckStart(Napi::Env env) const {
  // The state first: a stopped watch has let go of its callback too.
  if (state_ != State::kIdle) {
    return Napi::TypeError::New(env,
                                std::string(name_) + " was already started")
        .Value();
  }
  if (callback_.IsEmpty()) {
    return Napi::TypeError::New(
               env, std::string(name_) + " needs a callback function")
        .Value();
  }
  return Napi::Value();
}

Napi::Value PollWatch::Poll(Napi::Env env, napi_value receiver, int fd) {
  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    return Failure(env, EINVAL, "napi_get_uv_event_loop");
  }
  fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (fd_ < 0) return Failure(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  // Held before the handle exists: `this` must outlive its close callback.
  if (napi_create_reference(env, receiver, 1, &receiver_) != napi_ok) {
    Release();
    return Failure(env, ENOMEM, "napi_create_reference");
  }
  poll_ = new (std::nothrow) uv_poll_t();
  int err = poll_ != nullptr ? uv_poll_init(loop, poll_, fd_) : UV_ENOMEM;
  if (err != 0) {
    Release();  // a handle that failed to initialize is not on the loop
    return Failure(env, -err, "uv_poll_init");
  }
  poll_->data = this;
  state_ = State::kWatching;  // from here on, Close() lets go of everything
  err = uv_poll_start(poll_, UV_READABLE, Readable);
  if (err == 0 &&
      napi_add_async_cleanup_hook(env, Teardown, this, &cleanup_) != napi_ok) {
    err = UV_ENOMEM;
  }
  if (err != 0) {
    Close();
    return Failure(env, -err, "uv_poll_start");
  }
  context_ = std::make_unique<Napi::AsyncContext>(
      env, (std::string("netns-native:") + name_).c_str());
  if (env.IsExceptionPending()) {
    Close();
    return env.GetAndClearPendingException().Value();
  }
  return env.Undefined();
}

int PollWatch::Resume() {
  if (!watching()) return UV_EINVAL;
  return uv_poll_start(poll_, UV_READABLE, Readable);
}

Napi::Value PollWatch::RefLoop(const Napi::CallbackInfo& info) {
  if (watching()) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value PollWatch::UnrefLoop(const Napi::CallbackInfo& info) {
  if (watching()) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value PollWatch::Stop(const Napi::CallbackInfo& info) {
  Close();
  return info.Env().Undefined();
}

void PollWatch::Close() {
  if (state_ != State::kWatching) return;
  state_ = State::kClosing;
  // uv_close stops polling too.
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), Closed);
}

// The plain C calls, each checked: while a worker is torn down its loop
// still runs (to close handles) before the cleanup hook stops this watch,
// and JavaScript can no longer be called; node-addon-api's wrappers would
// then make a fatal error of the refusal, and here it is only skipped.
void PollWatch::CallBack(std::initializer_list<std::optional<int>> args) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return;
  std::vector<napi_value> argv;
  for (const std::optional<int>& arg : args) {
    napi_value value;
    if ((arg.has_value() ? napi_create_int32(env_, *arg, &value)
                         : napi_get_null(env_, &value)) != napi_ok) {
      break;
    }
    argv.push_back(value);
  }
  napi_value receiver = nullptr;
  napi_value callback = nullptr;
  napi_value result;
  if (argv.size() == args.size() && context_ != nullptr &&
      napi_get_reference_value(env_, receiver_, &receiver) == napi_ok &&
      napi_get_reference_value(env_, callback_, &callback) == napi_ok &&
      receiver != nullptr && callback != nullptr &&
      napi_make_callback(env_, *context_, receiver, callback, argv.size(),
                         argv.data(), &result) == napi_pending_exception) {
    napi_value exception;
    if (napi_get_and_clear_last_exception(env_, &exception) == napi_ok) {
      napi_fatal_exception(env_, exception);
    }
  }
  // Failing to close a scope, like the failures in Release(), leaves
  // nothing for this code to do.
  napi_close_handle_scope(env_, scope);
}

void PollWatch::Readable(uv_poll_t* handle, int status, int) {
  auto* self = static_cast<PollWatch*>(handle->data);
  if (self->watching()) self->OnReadable(status);
}

void PollWatch::Closed(uv_handle_t* handle) {
  auto* self = static_cast<PollWatch*>(handle->data);
  self->state_ = State::kClosed;
  // Never called again: held on, a callback that closes over the watch would
  // keep it (and all it reaches) alive for good.
  self->callback_.Reset();
  self->Release();
}

void PollWatch::Teardown(napi_async_cleanup_hook_handle, void* arg) {
  auto* self = static_cast<PollWatch*>(arg);
  self->OnTeardown();
  self->Close();
}

// Lets go of what is held, the JS object last: it may then be collected, and
// this with it.
void PollWatch::Release() {
  if (fd_ >= 0) close(fd_);  // Linux frees the fd even when close() fails
  fd_ = -1;
  delete poll_;
  poll_ = nullptr;
  context_.reset();
  if (cleanup_ != nullptr) {
    napi_remove_async_cleanup_hook(cleanup_);  // teardown may go on
    cleanup_ = nullptr;
  }
  if (receiver_ != nullptr) {
    napi_delete_reference(env_, receiver_);
    receiver_ = nullptr;
  }
}

namespace {

// The factory: the constructor is the function's data.
Napi::Value NewWatch(const Napi::CallbackInfo& info) {
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

}  // namespace

void ExportFactory(Napi::Env env, Napi::Object exports, const char* name,
                   Napi::Function constructor) {
  auto* reference = new Napi::FunctionReference(Napi::Persistent(constructor));
  if (napi_add_env_cleanup_hook(env, FreeConstructor, reference) != napi_ok) {
    delete reference;
    return;
  }
  exports.Set(name, Napi::Function::New(env, NewWatch, name, reference));
}

}  // namespace netns

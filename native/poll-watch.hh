// The readable-fd watch both native watches are built on (pidfd-watch.cc,
// netlink-events.cc): a uv_poll_t on this environment's event loop, no
// thread. It polls its own close-on-exec duplicate of the fd, so the caller
// may close theirs at any time. While the handle is open it keeps its JS
// object (and so itself) alive; uv_close ends it, and the close callback
// frees the handle and closes the duplicate. It is torn down with the
// environment that started it (a worker's end, terminate() too), so no
// callback can reach a freed environment or an unloaded addon. What a
// readable fd means is the subclass's to say.
#pragma once
#include <napi.h>
#include <uv.h>

#include <initializer_list>
#include <memory>
#include <optional>

namespace netns {

class PollWatch {
 public:
  PollWatch(const PollWatch&) = delete;
  PollWatch& operator=(const PollWatch&) = delete;
  virtual ~PollWatch() = default;

  // The JS methods ref(), unref() and stop(); no callback after stop().
  Napi::Value RefLoop(const Napi::CallbackInfo& info);
  Napi::Value UnrefLoop(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);

 protected:
  // `name` is the class's, for messages and async hooks. `callback` is kept
  // when it is a function: a constructor can only report by throwing, so
  // CheckStart() refuses its absence.
  PollWatch(const char* name, Napi::Value callback);

  // The TypeError for a watch without a callback or already started, else
  // an empty value.
  Napi::Value CheckStart(Napi::Env env) const;
  // Polls a duplicate of `fd` for readability, `receiver` being the
  // callback's `this`: undefined, or the failure (what was taken is let go,
  // at once or in the close callback).
  Napi::Value Poll(Napi::Env env, napi_value receiver, int fd);
  // Polls again after libuv stopped on an error: 0 or a libuv error.
  int Resume();
  // Stops polling and closes the handle (and the duplicate, in the close
  // callback); a no-op unless watching.
  void Close();
  // Calls the JS callback with each argument a number or null. An exception
  // it throws is an uncaught exception of this loop turn, as for an event of
  // Node's own handles.
  void CallBack(std::initializer_list<std::optional<int>> args);

  bool watching() const { return state_ == State::kWatching; }
  // The duplicate polled, or -1.
  int fd() const { return fd_; }

  // Each readable event (status 0), or a poll error (a negative libuv
  // error, after which libuv has stopped polling).
  virtual void OnReadable(int status) = 0;
  // The environment is ending and the watch is about to close: nothing can
  // be called back.
  virtual void OnTeardown() {}

 private:
  enum class State { kIdle, kWatching, kClosing, kClosed };

  static void Readable(uv_poll_t* handle, int status, int events);
  static void Closed(uv_handle_t* handle);
  static void Teardown(napi_async_cleanup_hook_handle hook, void* arg);
  void Release();

  const char* name_;
  napi_env env_;
  Napi::FunctionReference callback_;
  State state_ = State::kIdle;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  napi_ref receiver_ = nullptr;
  std::unique_ptr<Napi::AsyncContext> context_;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
};

// Exports `name` as a factory of `constructor`'s objects: a class
// constructor called without `new` throws, and native code never throws. The
// constructor is the factory's data, freed with the environment; when that
// cannot be arranged nothing is exported, and lib/ finds no function.
void ExportFactory(Napi::Env env, Napi::Object exports, const char* name,
                   Napi::Function constructor);

}  // namespace netns

// libuv starts its threadpool lazily, on the first queued work, and the pool
// threads inherit the namespace of the thread that queued it (DESIGN.md 1.3).
// Queueing one no-op at load creates them before any setns can happen.
#include "threadpool.hh"

namespace netns {

namespace {

void NoWork(napi_env, void*) {}

void DeleteWork(napi_env env, napi_status, void* data) {
  auto* work = static_cast<napi_async_work*>(data);
  napi_delete_async_work(env, *work);
  delete work;
}

}  // namespace

bool WarmThreadpool(Napi::Env env) {
  napi_value name = Napi::String::New(env, "netns-native:warm-threadpool");
  auto* work = new napi_async_work();
  if (napi_create_async_work(env, nullptr, name, NoWork, DeleteWork, work,
                             work) != napi_ok) {
    delete work;
    return false;
  }
  if (napi_queue_async_work(env, *work) != napi_ok) {
    napi_delete_async_work(env, *work);
    delete work;
    return false;
  }
  return true;
}

}  // namespace netns

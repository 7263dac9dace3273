// libuv starts its threadpool lazily, on the first queued work, and the pool
// threads inherit the namespace of the thread that queued it (DESIGN.md 1.3).
// Queueing one no-op at load creates them before any setns can happen.
#include "threadpool.hh"

namespace netns {

static void NoWork(napi_env, void*) {}

static void DeleteWork(napi_env env, napi_status, void* data) {
  auto* work = static_cast<napi_async_work*>(data);
  napi_delete_async_work(env, *work);
  delete work;
}

void WarmThreadpool(Napi::Env env) {
  napi_value name = Napi::String::New(env, "netns-native:warm-threadpool");
  auto* work = new napi_async_work();
  napi_status status = napi_create_async_work(env, nullptr, name, NoWork,
                                              DeleteWork, work, work);
  if (status != napi_ok) {
    delete work;
    NAPI_THROW_IF_FAILED_VOID(env, status);
  }
  status = napi_queue_async_work(env, *work);
  if (status != napi_ok) {
    napi_delete_async_work(env, *work);
    delete work;
    NAPI_THROW_IF_FAILED_VOID(env, status);
  }
}

}  // namespace netns

#pragma once
#include <napi.h>

namespace netns {
// Creates the libuv threadpool now, in the loading thread's namespace. False
// if the work could not be queued; the loader refuses to go on then.
bool WarmThreadpool(Napi::Env env);
}  // namespace netns

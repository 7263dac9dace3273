#pragma once
#include <napi.h>

namespace netns {
// Creates the libuv threadpool now, in the loading thread's namespace.
void WarmThreadpool(Napi::Env env);
}

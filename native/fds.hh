#pragma once
#include <napi.h>

namespace netns {
void InitFds(Napi::Env env, Napi::Object exports);
}

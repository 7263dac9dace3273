#pragma once
#include <napi.h>

namespace netns {
void InitSockets(Napi::Env env, Napi::Object exports);
}

#pragma once
#include <napi.h>

namespace netns {
void InitNetlink(Napi::Env env, Napi::Object exports);
}

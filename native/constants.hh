#pragma once
#include <napi.h>

namespace netns {
void InitConstants(Napi::Env env, Napi::Object exports);
}

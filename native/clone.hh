#pragma once
#include <napi.h>

namespace netns {
void InitClone(Napi::Env env, Napi::Object exports);
}

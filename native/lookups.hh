#pragma once
#include <napi.h>

namespace netns {
void InitLookups(Napi::Env env, Napi::Object exports);
}

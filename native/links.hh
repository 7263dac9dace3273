#pragma once
#include <napi.h>

namespace netns {
void InitLinks(Napi::Env env, Napi::Object exports);
}

#pragma once
#include <napi.h>

namespace netns {
void InitNamespaces(Napi::Env env, Napi::Object exports);
}

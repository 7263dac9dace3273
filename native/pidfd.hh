#pragma once
#include <napi.h>

namespace netns {
void InitPidfd(Napi::Env env, Napi::Object exports);
}

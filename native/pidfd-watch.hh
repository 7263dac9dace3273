#pragma once
#include <napi.h>

namespace netns {
void InitPidfdWatch(Napi::Env env, Napi::Object exports);
}

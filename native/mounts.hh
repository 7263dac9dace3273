#pragma once
#include <napi.h>

namespace netns {
void InitMounts(Napi::Env env, Napi::Object exports);
}

#pragma once
#include <napi.h>

namespace netns {
void InitChildWait(Napi::Env env, Napi::Object exports);
}

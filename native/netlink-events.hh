#pragma once
#include <napi.h>

namespace netns {
void InitNetlinkEvents(Napi::Env env, Napi::Object exports);
}

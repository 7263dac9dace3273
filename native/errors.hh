// System errors shaped like Node's own (src/api/exceptions.cc): code, errno
// (negative), syscall, path. The TypeScript layer rewraps them in NetnsError.
#pragma once
#include <napi.h>

namespace netns {

// Throws a pending JS error for `err` (a positive errno) raised by `syscall`.
void ThrowErrno(Napi::Env env, int err, const char* syscall,
                const char* path = nullptr);

// Argument helpers: they throw a TypeError and return false on bad input.
bool GetInt(const Napi::CallbackInfo& info, size_t index, int* out);
bool GetUint(const Napi::CallbackInfo& info, size_t index, unsigned long* out);
bool GetString(const Napi::CallbackInfo& info, size_t index, std::string* out);
bool GetOptionalString(const Napi::CallbackInfo& info, size_t index,
                       std::string* out, bool* present);

}  // namespace netns

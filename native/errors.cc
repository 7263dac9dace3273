#include "errors.hh"

#include <string.h>

#include <cmath>
#include <string>

namespace netns {

void ThrowErrno(Napi::Env env, int err, const char* syscall, const char* path) {
  const char* name = strerrorname_np(err);
  std::string code = name ? name : "EUNKNOWN";
  std::string message = code + ": " + strerror(err) + ", " + syscall;
  if (path) message += std::string(" '") + path + "'";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("code", Napi::String::New(env, code));
  error.Set("syscall", Napi::String::New(env, syscall));
  if (path) error.Set("path", Napi::String::New(env, path));
  error.ThrowAsJavaScriptException();
}

static void ThrowArgType(Napi::Env env, size_t index, const char* expected) {
  std::string message =
      "argument " + std::to_string(index) + " must be " + expected;
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

bool GetInt(const Napi::CallbackInfo& info, size_t index, int* out) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    ThrowArgType(info.Env(), index, "an integer");
    return false;
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::trunc(value) != value ||
      value < INT32_MIN || value > INT32_MAX) {
    ThrowArgType(info.Env(), index, "a 32-bit integer");
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool GetUint(const Napi::CallbackInfo& info, size_t index, unsigned long* out) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    ThrowArgType(info.Env(), index, "a non-negative integer");
    return false;
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::trunc(value) != value || value < 0 ||
      value > 9007199254740991.0) {
    ThrowArgType(info.Env(), index, "a non-negative integer");
    return false;
  }
  *out = static_cast<unsigned long>(value);
  return true;
}

bool GetString(const Napi::CallbackInfo& info, size_t index, std::string* out) {
  if (index >= info.Length() || !info[index].IsString()) {
    ThrowArgType(info.Env(), index, "a string");
    return false;
  }
  *out = info[index].As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) {
    ThrowArgType(info.Env(), index, "a string without NUL bytes");
    return false;
  }
  return true;
}

bool GetOptionalString(const Napi::CallbackInfo& info, size_t index,
                       std::string* out, bool* present) {
  *present = index < info.Length() && !info[index].IsNull() &&
             !info[index].IsUndefined();
  return !*present || GetString(info, index, out);
}

}  // namespace netns

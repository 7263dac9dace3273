#include "args.hh"

#include <cmath>
#include <string>

namespace netns {

namespace {

std::string Argument(size_t index) {
  return "argument " + std::to_string(index);
}

}  // namespace

Napi::Value Failure(Napi::Env env, int err, const char* syscall,
                    const char* path) {
  // The message is a placeholder: lib/errors.ts names the errno with the
  // same table Node uses (libuv's) and writes the message.
  Napi::Object error = Napi::Error::New(env, syscall).Value();
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  if (path != nullptr) error.Set("path", Napi::String::New(env, path));
  return error;
}

Napi::Value CheckVoid(Napi::Env env, long result, const char* syscall,
                      const char* path) {
  if (result < 0) return Failure(env, errno, syscall, path);
  return env.Undefined();
}

Napi::Value CheckNumber(Napi::Env env, long result, const char* syscall,
                        const char* path) {
  if (result < 0) return Failure(env, errno, syscall, path);
  return Napi::Number::New(env, static_cast<double>(result));
}

void Register(Napi::Env env, Napi::Object exports, const char* name,
              Napi::Function::Callback callback) {
  exports.Set(name, Napi::Function::New(env, callback, name));
}

bool Reader::Refuse(const std::string& message, bool range) {
  error_ = range ? Napi::RangeError::New(env_, message).Value()
                 : Napi::TypeError::New(env_, message).Value();
  return false;
}

// An exception raised by user code (a getter, a Proxy trap) becomes the
// returned failure instead of staying pending.
bool Reader::Pending() {
  if (!env_.IsExceptionPending()) return false;
  error_ = env_.GetAndClearPendingException().Value();
  return true;
}

bool Reader::Get(Napi::Object object, const char* key, Napi::Value* out) {
  *out = object.Get(key);
  return !Pending();
}

// The check alone, with no message built: the hot path (setns) reads two
// ints per call, and a message is only needed on failure.
Reader::IntCheck Reader::CheckInt(Napi::Value value, int* out, int min,
                                  int max) {
  // One call: the status says whether it was a number at all.
  double number;
  if (napi_get_value_double(value.Env(), value, &number) != napi_ok) {
    return IntCheck::kNotANumber;
  }
  if (!std::isfinite(number) || std::trunc(number) != number || number < min ||
      number > max) {
    return IntCheck::kOutOfRange;
  }
  *out = static_cast<int>(number);
  return IntCheck::kOk;
}

bool Reader::RefuseInt(IntCheck check, const std::string& what, int min,
                       int max) {
  if (check == IntCheck::kNotANumber) return Refuse(what + " must be a number");
  return Refuse(what + " must be an integer from " + std::to_string(min) +
                    " to " + std::to_string(max),
                true);
}

bool Reader::IntValue(Napi::Value value, const std::string& what, int* out,
                      int min, int max) {
  IntCheck check = CheckInt(value, out, min, max);
  return check == IntCheck::kOk || RefuseInt(check, what, min, max);
}

bool Reader::StringValue(Napi::Value value, const std::string& what,
                         std::string* out) {
  if (!value.IsString()) return Refuse(what + " must be a string");
  *out = value.As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) {
    return Refuse(what + " must not contain NUL bytes");
  }
  return true;
}

bool Reader::Int(size_t index, int* out, int min, int max) {
  IntCheck check = CheckInt(info_[index], out, min, max);
  return check == IntCheck::kOk || RefuseInt(check, Argument(index), min, max);
}

bool Reader::Uint64(size_t index, uint64_t* out) {
  Napi::Value value = info_[index];
  if (!value.IsNumber()) return Refuse(Argument(index) + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number || number < 0 ||
      number > 9007199254740991.0) {
    return Refuse(Argument(index) + " must be a non-negative safe integer",
                  true);
  }
  *out = static_cast<uint64_t>(number);
  return true;
}

bool Reader::String(size_t index, std::string* out) {
  return StringValue(info_[index], Argument(index), out);
}

bool Reader::OptionalString(size_t index, std::string* out, bool* present) {
  Napi::Value value = info_[index];
  *present = !value.IsNull() && !value.IsUndefined();
  return !*present || StringValue(value, Argument(index), out);
}

bool Reader::Bytes(size_t index, uint8_t** data, size_t* length) {
  Napi::Value value = info_[index];
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return Refuse(Argument(index) + " must be a Buffer or Uint8Array");
  }
  Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
  *data = bytes.Data();
  *length = bytes.ByteLength();
  return !Pending();
}

bool Reader::Doubles(size_t index, size_t count, double** data) {
  Napi::Value value = info_[index];
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    return Refuse(Argument(index) + " must be a Float64Array");
  }
  Napi::Float64Array doubles = value.As<Napi::Float64Array>();
  if (doubles.ElementLength() < count) {
    return Refuse(Argument(index) + " must have room for " +
                      std::to_string(count) + " numbers",
                  true);
  }
  *data = doubles.Data();
  return !Pending();
}

bool Reader::Function(size_t index, Napi::Function* out) {
  if (!info_[index].IsFunction()) {
    return Refuse(Argument(index) + " must be a function");
  }
  *out = info_[index].As<Napi::Function>();
  return true;
}

bool Reader::Object(size_t index, Napi::Object* out) {
  Napi::Value value = info_[index];
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) {
    return Refuse(Argument(index) + " must be an object");
  }
  *out = value.As<Napi::Object>();
  return true;
}

bool Reader::FieldInt(Napi::Object object, const char* key,
                      const std::string& what, bool required, int* out,
                      bool* present, int min, int max) {
  Napi::Value value;
  if (!Get(object, key, &value)) return false;
  bool there = !value.IsUndefined();
  if (present != nullptr) *present = there;
  if (!there) return !required || Refuse(what + " is required");
  return IntValue(value, what, out, min, max);
}

bool Reader::FieldUint64(Napi::Object object, const char* key,
                         const std::string& what, bool required,
                         uint64_t* out) {
  Napi::Value value;
  if (!Get(object, key, &value)) return false;
  if (value.IsUndefined()) return !required || Refuse(what + " is required");
  if (!value.IsNumber()) return Refuse(what + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number || number < 0 ||
      number > 9007199254740991.0) {
    return Refuse(what + " must be a non-negative safe integer", true);
  }
  *out = static_cast<uint64_t>(number);
  return true;
}

bool Reader::FieldString(Napi::Object object, const char* key,
                         const std::string& what, bool required,
                         std::string* out, bool* present) {
  Napi::Value value;
  if (!Get(object, key, &value)) return false;
  bool there = !value.IsUndefined();
  if (present != nullptr) *present = there;
  if (!there) return !required || Refuse(what + " is required");
  return StringValue(value, what, out);
}

bool Reader::FieldBool(Napi::Object object, const char* key,
                       const std::string& what, bool* out) {
  Napi::Value value;
  if (!Get(object, key, &value)) return false;
  if (value.IsUndefined()) {
    *out = false;
    return true;
  }
  if (!value.IsBoolean()) return Refuse(what + " must be a boolean");
  *out = value.As<Napi::Boolean>().Value();
  return true;
}

bool Reader::FieldArray(Napi::Object object, const char* key,
                        const std::string& what, Napi::Array* out,
                        bool* present) {
  Napi::Value value;
  if (!Get(object, key, &value)) return false;
  *present = !value.IsUndefined();
  if (!*present) return true;
  if (!value.IsArray()) return Refuse(what + " must be an array");
  *out = value.As<Napi::Array>();
  return true;
}

bool Reader::Element(Napi::Array array, uint32_t index, Napi::Value* out) {
  *out = array.Get(index);
  return !Pending();
}

bool Reader::FieldStringList(Napi::Object object, const char* key,
                             const std::string& what,
                             std::vector<std::string>* out) {
  Napi::Array array;
  bool present;
  if (!FieldArray(object, key, what, &array, &present)) return false;
  if (!present) return Refuse(what + " is required");
  uint32_t length = array.Length();
  if (Pending()) return false;
  for (uint32_t i = 0; i < length; i++) {
    Napi::Value item;
    std::string text;
    if (!Element(array, i, &item) ||
        !StringValue(item, what + "[" + std::to_string(i) + "]", &text)) {
      return false;
    }
    out->push_back(std::move(text));
  }
  return true;
}

}  // namespace netns

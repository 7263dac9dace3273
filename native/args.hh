// The shape every wrapper shares: read arguments, make the call, check it.
//
// Native code never throws into JavaScript. An exception thrown from an addon
// aborts a process run with --abort-on-uncaught-exception even when the
// caller catches it (nodejs/node#28409), so a failure is *returned* as an
// Error value (a system failure carries errno, syscall and path; a bad
// argument is a TypeError or RangeError) and lib/errors.ts throws it from
// JavaScript. An exception raised by user code while an argument is read (a
// getter, a Proxy trap) is cleared and returned the same way, never thrown
// a second time.
#pragma once
#include <errno.h>
#include <napi.h>
#include <stdint.h>

#include <string>
#include <vector>

namespace netns {

// A failed system call: an Error value with errno (negative, as Node's),
// syscall and, when given, path.
Napi::Value Failure(Napi::Env env, int err, const char* syscall,
                    const char* path = nullptr);

// Retries a system call that the kernel interrupted (EINTR).
template <typename Call>
auto RetryOnEintr(Call call) -> decltype(call()) {
  decltype(call()) result;
  do {
    result = call();
  } while (result == -1 && errno == EINTR);
  return result;
}

// The value of a call returning 0 or -1: undefined, or the failure.
Napi::Value CheckVoid(Napi::Env env, long result, const char* syscall,
                      const char* path = nullptr);
// The value of a call returning a number (an fd, a type) or -1.
Napi::Value CheckNumber(Napi::Env env, long result, const char* syscall,
                        const char* path = nullptr);

// Registers a function under its own name, so it shows in stack traces.
void Register(Napi::Env env, Napi::Object exports, const char* name,
              Napi::Function::Callback callback);

// Reads arguments and object fields. Each reader returns false once anything
// is wrong; Error() then holds the value to return to JavaScript.
class Reader {
 public:
  explicit Reader(const Napi::CallbackInfo& info)
      : info_(info), env_(info.Env()) {}

  // A number that is an integer within [min, max]: NaN, fractions,
  // infinities and out-of-range values are refused, never truncated.
  bool Int(size_t index, int* out, int min = INT32_MIN, int max = INT32_MAX);
  bool Uint64(size_t index, uint64_t* out);
  // A string without NUL bytes (the kernel would cut it there).
  bool String(size_t index, std::string* out);
  // null or undefined: absent.
  bool OptionalString(size_t index, std::string* out, bool* present);
  // A Buffer or any Uint8Array.
  bool Bytes(size_t index, uint8_t** data, size_t* length);
  // A Float64Array of at least `count` elements, for a call to write into.
  bool Doubles(size_t index, size_t count, double** data);
  bool Function(size_t index, Napi::Function* out);
  bool Object(size_t index, Napi::Object* out);

  // Fields of an object, named `what` in messages. Absent = undefined.
  bool FieldInt(Napi::Object object, const char* key, const std::string& what,
                bool required, int* out, bool* present, int min = INT32_MIN,
                int max = INT32_MAX);
  bool FieldUint64(Napi::Object object, const char* key,
                   const std::string& what, bool required, uint64_t* out);
  bool FieldString(Napi::Object object, const char* key,
                   const std::string& what, bool required, std::string* out,
                   bool* present);
  bool FieldBool(Napi::Object object, const char* key, const std::string& what,
                 bool* out);
  bool FieldStringList(Napi::Object object, const char* key,
                       const std::string& what, std::vector<std::string>* out);
  // Field `key` as an array (absent: *present = false).
  bool FieldArray(Napi::Object object, const char* key, const std::string& what,
                  Napi::Array* out, bool* present);
  bool Element(Napi::Array array, uint32_t index, Napi::Value* out);

  // A value already read (an array element) that must be such an integer.
  bool IntValue(Napi::Value value, const std::string& what, int* out,
                int min = INT32_MIN, int max = INT32_MAX);

  // Refuses with a TypeError (range = false) or RangeError.
  bool Refuse(const std::string& message, bool range = false);

  Napi::Env Env() const { return env_; }
  // The value to return after a reader said false.
  Napi::Value Error() const { return error_; }

 private:
  enum class IntCheck { kOk, kNotANumber, kOutOfRange };
  static IntCheck CheckInt(Napi::Value value, int* out, int min, int max);
  bool RefuseInt(IntCheck check, const std::string& what, int min, int max);
  bool Get(Napi::Object object, const char* key, Napi::Value* out);
  bool Pending();
  bool StringValue(Napi::Value value, const std::string& what,
                   std::string* out);

  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  Napi::Value error_;
};

}  // namespace netns

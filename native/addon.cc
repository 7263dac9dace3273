// Module entry: registers each concern's functions on the exports object.
#include <napi.h>
#include <unistd.h>

#include "child-wait.hh"
#include "clone.hh"
#include "constants.hh"
#include "fds.hh"
#include "mounts.hh"
#include "namespaces.hh"
#include "netlink.hh"
#include "pidfd.hh"
#include "sockets.hh"
#include "threadpool.hh"

namespace netns {

static Napi::Value Gettid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), gettid());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  WarmThreadpool(env);
  if (env.IsExceptionPending()) return exports;
  InitConstants(env, exports);
  InitNamespaces(env, exports);
  InitMounts(env, exports);
  InitPidfd(env, exports);
  InitFds(env, exports);
  InitNetlink(env, exports);
  InitSockets(env, exports);
  InitClone(env, exports);
  InitChildWait(env, exports);
  exports.Set("gettid", Napi::Function::New(env, Gettid, "gettid"));
  return exports;
}

}  // namespace netns

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return netns::Init(env, exports);
}

NODE_API_MODULE(netns_native, InitModule)

// Module entry: registers each concern's functions on the exports object.
#include <napi.h>

#include "clone.hh"
#include "constants.hh"
#include "fds.hh"
#include "lookups.hh"
#include "mounts.hh"
#include "namespaces.hh"
#include "netlink-events.hh"
#include "pidfd-watch.hh"
#include "pidfd.hh"
#include "sockets.hh"
#include "threadpool.hh"

namespace netns {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // lib/binding.ts refuses to load when the pool could not be warmed.
  exports.Set("threadpoolWarmed", Napi::Boolean::New(env, WarmThreadpool(env)));
  InitConstants(env, exports);
  InitNamespaces(env, exports);
  InitMounts(env, exports);
  InitFds(env, exports);
  InitLookups(env, exports);
  InitPidfd(env, exports);
  InitPidfdWatch(env, exports);
  InitSockets(env, exports);
  InitClone(env, exports);
  InitNetlinkEvents(env, exports);
  return exports;
}

}  // namespace netns

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return netns::Init(env, exports);
}

NODE_API_MODULE(netns_native, InitModule)

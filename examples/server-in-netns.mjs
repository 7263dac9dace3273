// An HTTP server that listens inside a new named namespace, reachable only
// from there (try: ip netns exec NAME curl http://127.0.0.1:PORT/).
// usage: sudo node examples/server-in-netns.mjs [NAME]   (Ctrl-C to stop)
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { NetNamespace } from 'netns-native';

const name = process.argv[2] ?? 'demo-server';
const ns = NetNamespace.createNamed(name);
execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
const server = await ns.listen({ host: '127.0.0.1', port: 8080 });
http.createServer((req, res) => res.end(`hello from inside ${ns.id}\n`)).listen(server);
// http.Server can adopt the listening handle of the net.Server made inside.
console.log(`listening on 127.0.0.1:8080 inside '${name}' (${ns.id}); on the host that port is free`);
console.log(`try: sudo ip netns exec ${name} curl -s http://127.0.0.1:8080/`);

function stop() {
  server.close();
  ns.close();
  NetNamespace.delete(name);
  console.log(`\ndeleted '${name}'`);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// Expose a container's network namespace to `ip netns` (the Docker fix).
// usage: sudo node examples/docker-netns.mjs PID|CONTAINER [NAME]
//        sudo node examples/docker-netns.mjs --delete NAME
// Then: ip netns exec NAME ip addr; ip netns identify PID; ...
import { execFileSync } from 'node:child_process';
import { NetNamespace, listNamed } from 'netns-native';

function pidOfContainer(container) {
  try {
    return Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', container],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  } catch (error) {
    const reason = error.code === 'ENOENT' ? 'docker is not installed'
      : (error.stderr?.toString().trim() || error.message);
    throw new Error(`cannot find the pid of container '${container}': ${reason}`);
  }
}

const [first, second] = process.argv.slice(2);
if (!first) {
  console.error('usage: docker-netns.mjs PID|CONTAINER [NAME] | --delete NAME');
  process.exit(2);
}
try {
  if (first === '--delete') {
    NetNamespace.delete(second);
    console.log(`deleted ${second}`);
  } else {
    const pid = /^\d+$/.test(first) ? Number(first) : pidOfContainer(first);
    if (!pid) throw new Error(`container '${first}' is not running`);
    const name = second ?? (/^\d+$/.test(first) ? `pid-${pid}` : first);
    const ns = NetNamespace.attach(name, pid);
    console.log(`${name} -> ${ns.id} (process ${pid}); now try: ip netns exec ${name} ip addr`);
    ns.close();
    console.log('ip netns list:', listNamed().map((n) => n.name).join(' '));
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

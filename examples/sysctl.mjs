// Read or set a net.* sysctl in a named namespace, like
// `ip netns exec NAME sysctl [-w] KEY[=VALUE]`.
// usage: sudo node examples/sysctl.mjs NAME net.ipv4.ip_forward[=1]
import { NetNamespace } from 'netns-native';

const [name, assignment] = process.argv.slice(2);
if (!name || !assignment) {
  console.error('usage: sysctl.mjs NAME KEY[=VALUE]');
  process.exit(2);
}
const [key, value] = assignment.split('=');
try {
  const ns = NetNamespace.fromName(name);
  try {
    if (value !== undefined) ns.setSysctl(key, value);
    console.log(`${key} = ${ns.sysctl(key)}`);
  } finally {
    ns.close();
  }
} catch (error) {
  console.error(`sysctl: ${error.message}`);
  process.exitCode = 1;
}

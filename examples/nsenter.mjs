// Run a command in a process's network namespace, like `nsenter -t PID -n CMD`.
// usage: sudo node examples/nsenter.mjs PID COMMAND [ARGS...]
//        sudo node examples/nsenter.mjs --isolated NAME COMMAND [ARGS...]   (ip netns exec)
import { NetNamespace } from 'netns-native';

const argv = process.argv.slice(2);
const isolated = argv[0] === '--isolated';
if (isolated) argv.shift();
const [target, command, ...args] = argv;
if (!target || !command) {
  console.error('usage: nsenter.mjs PID COMMAND [ARGS...] | --isolated NAME COMMAND [ARGS...]');
  process.exit(2);
}
let ns;
try {
  ns = /^\d+$/.test(target) ? NetNamespace.fromPid(Number(target)) : NetNamespace.fromName(target);
} catch (error) {
  console.error(`nsenter: ${error.message}`);
  process.exit(1);
}
const child = ns.spawn(command, args, { stdio: 'inherit', mountNamespace: isolated ? 'isolated' : 'shared' });
ns.close(); // the child has joined; the handle is no longer needed
child.on('error', (error) => {
  console.error(`nsenter: ${command}: ${error.message}`);
  process.exitCode = 127;
});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? 128 + (signal ? 15 : 0);
});

// Expose a container's network namespace to `ip netns` (the Docker fix).
// usage: sudo node examples/docker-netns.mjs [-c|--container] PID|CONTAINER [NAME]
//        sudo node examples/docker-netns.mjs --delete NAME
// CONTAINER is a Docker or Podman container's name, id or id prefix, looked up
// through the engine's API socket (DOCKER_HOST=unix://…, else the default
// sockets); an all-digits argument is a pid unless --container says otherwise.
// Then: ip netns exec NAME ip addr; ip netns identify PID; ...
import { parseArgs } from 'node:util';
import { NetNamespace, containerOf, fromContainer, listNamed } from 'netns-native';

const usage = 'usage: docker-netns.mjs [-c|--container] PID|CONTAINER [NAME] | --delete NAME';

function parse() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { delete: { type: 'boolean' }, container: { type: 'boolean', short: 'c' } },
    });
    if (positionals.length < 1 || positionals.length > (values.delete ? 1 : 2)) throw new Error('wrong arguments');
    return { ...values, target: positionals[0], name: positionals[1] };
  } catch (error) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
}

/** The namespace to name, what it is, and the name to give it when none was asked for. */
async function open(target, isContainer) {
  if (!isContainer && /^\d+$/.test(target)) {
    return { ns: NetNamespace.fromPid(Number(target)), what: `process ${target}`, name: `pid-${target}` };
  }
  const ns = await fromContainer(target);
  const container = containerOf(ns);
  return {
    ns,
    what: `${container.runtime} container ${container.name} (${container.id.slice(0, 12)}, pid ${container.pid})`,
    name: container.name,
  };
}

// A failed connect() means there is no engine to ask, whatever the code.
const explain = (error) =>
  error.syscall === 'connect' ? `no Docker (or Podman) daemon is reachable: ${error.message}` : error.message;

const args = parse();
try {
  if (args.delete) {
    NetNamespace.delete(args.target);
    console.log(`deleted ${args.target}`);
  } else {
    const { ns, what, name: defaultName } = await open(args.target, args.container);
    const name = args.name ?? defaultName;
    try {
      NetNamespace.attach(name, ns).close();
    } finally {
      ns.close();
    }
    console.log(`${name} -> ${ns.id} (${what}); now try: ip netns exec ${name} ip addr`);
    console.log(
      'ip netns list:',
      listNamed()
        .map((n) => n.name)
        .join(' '),
    );
  }
} catch (error) {
  console.error(explain(error));
  process.exitCode = 1;
}

// What `ping` shows, with the library's own sockets: a TCP round trip from
// one namespace to an address in another. The server is made inside `to`
// (ns.listen), the client inside `from` (ns.connect); the answer names the
// namespace that sent it, so an answer from anywhere else is caught. Every
// wait is bounded: no answer within `timeoutMs` is a failure, never a hang.
// Shared by the examples; not part of the package.

/**
 * Connects from `from` to `host` in `to` and waits for the answer.
 * Resolves to { ok: true, ms } or { ok: false, reason } (refused, no answer
 * in time, an answer from elsewhere); rejects only if `to` cannot listen there.
 */
export async function tcpRoundTrip(from, to, host, { timeoutMs = 3000 } = {}) {
  const server = await to.listen({ host }, (socket) => {
    socket.on('error', () => {}); // a client that gave up is no concern of the server's
    socket.end(`answer from ${to.id}\n`);
  });
  const { port } = server.address();
  const started = process.hrtime.bigint();
  try {
    const answer = await new Promise((resolve, reject) => {
      const client = from.connect({ host, port });
      let text = '';
      const timer = setTimeout(() => {
        client.destroy();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      client.on('data', (chunk) => {
        text += chunk;
      });
      client.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      client.on('close', () => {
        clearTimeout(timer);
        resolve(text.trim());
      });
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (answer !== `answer from ${to.id}`) return { ok: false, reason: `unexpected answer "${answer}"` };
    return { ok: true, ms };
  } catch (error) {
    return { ok: false, reason: error.code ?? error.message };
  } finally {
    server.close();
  }
}

/**
 * Waits until `ifname` in `ns` is operationally UP: the kernel reports a
 * veth's carrier a moment after `ip link set up` (its link watch is
 * deferred), and a packet sent before that is lost (a SYN is then resent
 * only after 1 s). Throws if it is not UP within `timeoutMs`.
 */
export async function untilUp(ns, ifname, { timeoutMs = 5000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = ns.links().find((link) => link.name === ifname)?.operstate;
    if (state === 'UP') return;
    if (Date.now() > deadline) throw new Error(`${ifname} in ${ns.id} is not UP after ${timeoutMs} ms (${state})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

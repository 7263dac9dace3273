// enterNetns runs synchronous work only: the thread switches back as soon as
// fn returns, so anything awaited would run in the original namespace.

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export const isAsyncFunction = (fn: unknown): boolean =>
  typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction';

export function asyncRefused(): TypeError {
  return new TypeError(
    'enterNetns runs synchronous functions only: the thread ' +
      'switches back as soon as fn returns, so awaited work would run in the ' +
      'original namespace. For async work use ns.spawn(), ns.worker(), ' +
      'ns.listen()/ns.connect() or ns.socket(), which are placed in the namespace ' +
      'by construction.',
  );
}

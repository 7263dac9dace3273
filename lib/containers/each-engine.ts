// Asking the engines behind the candidate sockets one after the other. A
// socket that cannot be reached (missing, nobody listening, not ours to use)
// is passed over, so that a dead Docker socket does not hide a live Podman;
// what was passed over is kept, for the caller to report when none helped.
import { NetnsError } from '../errors';
import { type EngineClient, connectEngine } from './engine-client';
import type { Deadline } from './engine-http';
import type { EngineSockets } from './engine-socket';

// What "no engine here" looks like at connect().
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EACCES', 'EPERM']);

// Which unreachable socket says most about why nothing answered: one that is
// there but refused us beats one nobody listens on, which beats none at all.
const TELLING_ORDER = ['EACCES', 'EPERM', 'ECONNREFUSED', 'ENOTSOCK', 'ENOENT'];

export interface EngineWalk<T> {
  /** The first answer `ask` gave, if any did. */
  answer?: T;
  /** The sockets that could not be reached (and why there were none, if so), in the order tried. */
  passedOver: NetnsError[];
}

/**
 * Connects to each socket in turn and hands each engine that answers to
 * `ask`, until `ask` resolves to something other than undefined. Any other
 * failure (an engine that answers wrongly, the deadline) rejects at once.
 */
export async function askEachEngine<T>(
  sockets: EngineSockets,
  deadline: Deadline,
  ask: (engine: EngineClient) => Promise<T | undefined>,
): Promise<EngineWalk<T>> {
  const passedOver = sockets.problem ? [sockets.problem] : [];
  for (const socketPath of sockets.paths) {
    let engine: EngineClient;
    try {
      engine = await connectEngine(socketPath, sockets.from, deadline);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      passedOver.push(error);
      continue;
    }
    const answer = await ask(engine);
    if (answer !== undefined) return { answer, passedOver };
  }
  return { passedOver };
}

/** The passed-over socket whose error best explains why no engine answered; the first of equals. */
export function mostTellingUnreachable(passedOver: readonly NetnsError[]): NetnsError | undefined {
  const rank = (error: NetnsError): number => {
    const index = TELLING_ORDER.indexOf(error.code);
    return index < 0 ? TELLING_ORDER.length : index;
  };
  return passedOver.reduce<NetnsError | undefined>(
    (best, error) => (best === undefined || rank(error) < rank(best) ? error : best),
    undefined,
  );
}

function isUnreachable(error: unknown): error is NetnsError {
  return error instanceof NetnsError && error.syscall === 'connect' && UNREACHABLE.has(error.code);
}

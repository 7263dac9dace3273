// The nsids of the namespaces a listing found, asked a batch at a time over
// one socket (rtnl/nsid.ts nsidsIfAny: one send for the batch, then the
// answers in order): each namespace's fd is held until its batch has been
// asked, then closed.
import { nsidsAtOnce, nsidsIfAny } from '../rtnl/nsid';
import type { RtnlSocket } from '../rtnl/transport';
import { closeFd } from '../nsfs/nsfs-file';
import type { NamespaceInfo } from './namespace-info';

export class NsidBatch implements Disposable {
  readonly #socket: RtnlSocket;
  /** As many as the socket's receive buffer holds the answers of. */
  readonly #size: number;
  #held: Array<{ info: NamespaceInfo; fd: number }> = [];

  constructor(socket: RtnlSocket) {
    this.#socket = socket;
    this.#size = nsidsAtOnce(socket);
  }

  /** Takes `fd` (open on `info`'s namespace, closed here once asked about); asks when the batch is full. */
  add(info: NamespaceInfo, fd: number): void {
    this.#held.push({ info, fd });
    if (this.#held.length >= this.#size) this.ask();
  }

  /** Asks the nsids of the namespaces held, sets them on their infos where assigned, and closes the fds. */
  ask(): void {
    const held = this.#release();
    try {
      const nsids = nsidsIfAny(
        this.#socket,
        held.map(({ fd }) => fd),
      );
      held.forEach(({ info }, i) => {
        if (nsids[i] !== undefined) info.nsid = nsids[i];
      });
    } finally {
      for (const { fd } of held) closeFd(fd);
    }
  }

  /** Closes what is still held, unasked (the listing failed or ended early). */
  [Symbol.dispose](): void {
    for (const { fd } of this.#release()) closeFd(fd);
  }

  #release(): Array<{ info: NamespaceInfo; fd: number }> {
    const held = this.#held;
    this.#held = [];
    return held;
  }
}

// The nsids of the namespaces a listing found, asked a batch at a time over
// one socket (rtnl/nsid.ts nsidsIfAny: one send for the batch, then the
// answers in order): each namespace's fd is held until its batch has been
// asked, then closed.
import { nsidsAtOnce, nsidsIfAny } from '../rtnl/nsid';
import type { RtnlSocket } from '../rtnl/transport';
import { closeFd } from '../nsfs/nsfs-file';
import type { NamespaceInfo } from './namespace-info';
import type { HeldFd } from './open-namespace';

export class NsidBatch implements Disposable {
  readonly #socket: RtnlSocket;
  /** As many as the socket's receive buffer holds the answers of. */
  readonly #size: number;
  #held: Array<{ info: NamespaceInfo; file: HeldFd }> = [];

  constructor(socket: RtnlSocket) {
    this.#socket = socket;
    this.#size = nsidsAtOnce(socket);
  }

  /** Takes `file` (open on `info`'s namespace, closed here once asked about); asks when the batch is full. */
  add(info: NamespaceInfo, file: HeldFd): void {
    this.#held.push({ info, file });
    if (this.#held.length >= this.#size) this.ask();
  }

  /** Asks the nsids of the namespaces held, sets them on their infos where assigned, and closes the fds. */
  ask(): void {
    const held = this.#release();
    try {
      const nsids = nsidsIfAny(
        this.#socket,
        held.map(({ file }) => file.fd),
      );
      held.forEach(({ info }, i) => {
        if (nsids[i] !== undefined) info.nsid = nsids[i];
      });
    } finally {
      for (const { file } of held) closeFd(file.fd, file.openedBy);
    }
  }

  /** Closes what is still held, unasked (the listing failed or ended early). */
  [Symbol.dispose](): void {
    for (const { file } of this.#release()) closeFd(file.fd, file.openedBy);
  }

  #release(): Array<{ info: NamespaceInfo; file: HeldFd }> {
    const held = this.#held;
    this.#held = [];
    return held;
  }
}

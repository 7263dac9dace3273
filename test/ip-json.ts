// The shapes `ip -j -d link` prints, as the tests read them (iproute2 6.1):
// derived from the library's link table, which names each field's ip key.
import type { IpJsonLink } from '../lib/cli/ip-json';

/** ip prints `"link": null` for a lower link it cannot name. */
export type IpLink = Omit<IpJsonLink, 'link'> & { link?: string | null };

// `net:[INO]`: how readlink, lsns and NetNamespace#id name a network
// namespace, read back in one place.

/** The inode in `net:[INO]`, or undefined for any other text. */
export function inoOfNetnsId(text: string): number | undefined {
  const match = /^net:\[(\d+)\]$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

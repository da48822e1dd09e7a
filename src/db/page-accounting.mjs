// Page accounting for the full integrity check (integrity-worker.mjs): every page of the file is
// in one b-tree, on the freelist, or SQLite's lock-byte page. Plain JS: the worker runs without
// a loader.

/** The byte SQLite's file locks use (sqlite3PendingByte): the page holding it is never used. */
const PENDING_BYTE = 0x40000000;

/**
 * Pages that are in no b-tree and not on the freelist. A file past 1 GiB has one page no b-tree
 * can use, the lock-byte page; counting it flagged every such file as damaged (the 1M catalog:
 * "1 page(s) are in no b-tree", 178 393 pages of 32 KiB).
 * @param {{ pageCount: number, pageSize: number, used: number, freelist: number }} pages
 * @returns {number}
 */
export function unaccountedPages({ pageCount, pageSize, used, freelist }) {
  const lockBytePage = Math.floor(PENDING_BYTE / pageSize) + 1;
  return pageCount - used - freelist - (pageCount >= lockBytePage ? 1 : 0);
}

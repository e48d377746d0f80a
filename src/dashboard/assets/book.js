// In-memory L2 book fed by a `book:<venue>:<symbol>` channel: a snapshot, then updates
// whose `seq` must increase by one (a size of "0" deletes the level). Levels keep the
// exact decimal strings; Number() copies exist only for sorting and chart geometry.
import { cmp, isZero } from './decimal.js';

export class Book {
  constructor(channel) {
    this.channel = channel;
    this.bids = new Map();  // price text -> level
    this.asks = new Map();
    this.seq = null;        // seq of the last applied message; null until a snapshot
    this.stale = false;     // levels kept from before a gap or a reconnect
    this.version = 0;       // bumps on every change: sorted views are cached per version
    this.sorted = { version: -1, bids: [], asks: [] };
    this.tsReceived = null;
  }

  /** Applying updates: a snapshot arrived and no gap since. */
  get ready() {
    return this.seq !== null;
  }

  /** Something to draw: a live book, or the last good one while a fresh snapshot is awaited. */
  get shown() {
    return this.ready || this.stale;
  }

  /** Replaces the whole book. */
  snapshot(msg) {
    this.bids.clear();
    this.asks.clear();
    this.applyLevels(this.bids, msg.bids);
    this.applyLevels(this.asks, msg.asks);
    this.seq = msg.seq;
    this.stale = false;
    this.tsReceived = msg.ts_received;
    this.version++;
  }

  /**
   * Applies an update. Returns false, changing nothing, when the update does not follow the
   * last applied one (a gap: the caller must fetch a fresh snapshot).
   */
  update(msg) {
    if (this.seq === null) return true;  // still waiting for the snapshot: nothing to apply to
    if (msg.seq !== this.seq + 1) return false;
    this.applyLevels(this.bids, msg.bids);
    this.applyLevels(this.asks, msg.asks);
    this.seq = msg.seq;
    this.tsReceived = msg.ts_received;
    this.version++;
    return true;
  }

  /** Drops the contents until the next snapshot. */
  invalidate() {
    this.bids.clear();
    this.asks.clear();
    this.seq = null;
    this.stale = false;
    this.version++;
  }

  /**
   * Stops applying updates until the next snapshot but keeps the last good levels, so the
   * page can show them (marked stale) instead of flashing an empty book during a resync.
   */
  markStale() {
    if (this.seq === null) return;
    this.seq = null;
    this.stale = true;
    this.version++;
  }

  /** Applies one side's levels of a message to `map` (a kind of book keys them its own way). */
  applyLevels(map, levels) {
    apply(map, levels);
  }

  /** Both sides, best first; computed at most once per change. */
  view() {
    if (this.sorted.version !== this.version) {
      this.sorted = {
        version: this.version,
        bids: [...this.bids.values()].sort((a, b) => b.pn - a.pn || cmp(b.p, a.p)),
        asks: [...this.asks.values()].sort((a, b) => a.pn - b.pn || cmp(a.p, b.p)),
      };
    }
    return this.sorted;
  }
}

function apply(map, levels) {
  if (!Array.isArray(levels)) return;
  for (const l of levels) {
    const [p, q, by] = l;
    if (isZero(q)) map.delete(p);
    else map.set(p, { p, q, pn: Number(p), qn: Number(q), by: by || null });
  }
}

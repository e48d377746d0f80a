// Small shared helpers: DOM building, time formatting, canvas sizing, axis ticks, colours.

/** Element with an optional class and text (text goes through textContent: never HTML). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

/** Sets text only when it changed: keeps per-frame DOM work to what actually moved. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function setClass(node, cls) {
  if (node.className !== cls) node.className = cls;
}

const p2 = (n) => (n < 10 ? '0' : '') + n;
const p3 = (n) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** µs since the epoch -> local "HH:MM:SS.mmm". */
export function timeOfDay(us) {
  const d = new Date(Math.floor(us / 1000));
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`;
}

/** µs since the epoch -> local "MM-DD HH:MM". */
export function dateTime(us) {
  const d = new Date(Math.floor(us / 1000));
  return `${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** Milliseconds -> "850 ms", "12.3 s", "4 m 10 s", "2 h 5 m". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Integer with thin grouping: 1234567 -> "1,234,567". */
export function count(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

/**
 * Sizes a canvas's backing store to its CSS box times the device pixel ratio and returns a
 * 2D context drawing in CSS pixels, plus the box size; null while the canvas is not laid out.
 */
export function fitCanvas(canvas) {
  const r = canvas.getBoundingClientRect();
  const w = Math.floor(r.width), h = Math.floor(r.height);
  if (w < 2 || h < 2) return null;
  const dpr = window.devicePixelRatio || 1;
  const bw = Math.round(w * dpr), bh = Math.round(h * dpr);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Axis ticks at 1/2/5 x 10^k steps covering [lo, hi] with about `n` ticks. */
export function ticks(lo, hi, n) {
  if (!(hi > lo)) return { step: 1, values: [lo], decimals: 0 };
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  const values = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(v);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { step, values, decimals };
}

/** Compact axis label for sizes: 1234 -> "1.23k". */
export function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(2) + 'B';
  if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

const VENUE_COLORS = {
  btse: '#4c8dff',
  narkasa: '#b07cff',
  coinbtr: '#2ec4b6',
  coinmotion: '#ff9f43',
  bitexbit: '#ff6b9a',
};
const SPARE = ['#7bd88f', '#f7d154', '#5ec8f2', '#e88f6a', '#c0a3ff'];

/** Stable colour per venue id. */
export function venueColor(v) {
  if (VENUE_COLORS[v]) return VENUE_COLORS[v];
  let h = 0;
  for (const c of v) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length];
}

/** Colours read from the stylesheet, so that charts follow the theme. */
export function themeColors() {
  const s = getComputedStyle(document.documentElement);
  const v = (name) => s.getPropertyValue(name).trim();
  return {
    bg: v('--panel'), grid: v('--grid'), text: v('--muted'), strong: v('--text'),
    up: v('--up'), down: v('--down'), upFill: v('--up-fill'), downFill: v('--down-fill'),
    accent: v('--accent'), warn: v('--warn'),
    mono: v('--mono'),
  };
}

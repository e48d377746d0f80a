// Exact arithmetic on the decimal strings mdhub sends ("65000.5", "0.00012", "-1.25").
// Prices and sizes are displayed as received; sums, differences and roundings that the
// page shows are done here on BigInt mantissas, never through floating point.

const ZERO_RE = /^[-+]?0*(\.0*)?$/;

/** True for "0", "0.000", "-0". */
export function isZero(s) {
  return ZERO_RE.test(s);
}

/** Number of digits after the decimal point. */
export function fracDigits(s) {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Mantissa of `s` at `scale` fraction digits (digits beyond the scale are cut). */
export function toBig(s, scale) {
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '' : s.slice(dot + 1);
  frac = frac.length >= scale ? frac.slice(0, scale) : frac + '0'.repeat(scale - frac.length);
  const m = BigInt((int || '0') + frac);
  return neg ? -m : m;
}

/** Shortest text of mantissa/10^scale, without trailing fraction zeros (as mdhub renders). */
export function fromBig(m, scale) {
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    let int = digits.slice(0, digits.length - scale);
    let frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    digits = frac ? `${int}.${frac}` : int;
  }
  return neg && digits !== '0' ? '-' + digits : digits;
}

/** a + b, exact. */
export function add(a, b) {
  const sc = Math.max(fracDigits(a), fracDigits(b));
  return fromBig(toBig(a, sc) + toBig(b, sc), sc);
}

/** a - b, exact. */
export function sub(a, b) {
  const sc = Math.max(fracDigits(a), fracDigits(b));
  return fromBig(toBig(a, sc) - toBig(b, sc), sc);
}

/** Exact sum of many decimals. */
export function sum(list) {
  let sc = 0;
  for (const s of list) sc = Math.max(sc, fracDigits(s));
  let m = 0n;
  for (const s of list) m += toBig(s, sc);
  return fromBig(m, sc);
}

/** -1, 0, 1 as a < b, a == b, a > b; exact for any length. */
export function cmp(a, b) {
  const na = a[0] === '-', nb = b[0] === '-';
  if (na !== nb) {
    if (isZero(a) && isZero(b)) return 0;
    return na ? -1 : 1;
  }
  const r = cmpAbs(na ? a.slice(1) : a, nb ? b.slice(1) : b);
  return na ? -r : r;
}

function cmpAbs(a, b) {
  const da = a.indexOf('.'), db = b.indexOf('.');
  let ia = (da < 0 ? a : a.slice(0, da)).replace(/^0+/, '');
  let ib = (db < 0 ? b : b.slice(0, db)).replace(/^0+/, '');
  if (ia.length !== ib.length) return ia.length < ib.length ? -1 : 1;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const fa = da < 0 ? '' : a.slice(da + 1), fb = db < 0 ? '' : b.slice(db + 1);
  const n = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(n, '0'), pb = fb.padEnd(n, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/** `s` rounded half away from zero to exactly `places` fraction digits ("1.2345", 2 -> "1.23"). */
export function round(s, places) {
  const sc = fracDigits(s);
  let m = toBig(s, sc);
  if (sc > places) {
    const div = 10n ** BigInt(sc - places);
    const neg = m < 0n;
    let q = (neg ? -m : m) / div;
    const r = (neg ? -m : m) % div;
    if (r * 2n >= div) q += 1n;
    m = neg ? -q : q;
  } else {
    m *= 10n ** BigInt(places - sc);
  }
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  if (places > 0) {
    digits = digits.padStart(places + 1, '0');
    digits = `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  }
  return neg && /[1-9]/.test(digits) ? '-' + digits : digits;
}

/**
 * Percent change from `open` to `last`, (last - open) / open * 100, rounded half away from
 * zero to `places` digits ("100", "101.5" -> "1.50"); null when open is zero.
 */
export function changePct(open, last, places = 2) {
  const sc = Math.max(fracDigits(open), fracDigits(last));
  const o = toBig(open, sc);
  if (o === 0n) return null;
  const num = (toBig(last, sc) - o) * 100n * 10n ** BigInt(places);
  const neg = (num < 0n) !== (o < 0n);
  const n = num < 0n ? -num : num, d = o < 0n ? -o : o;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  let digits = q.toString();
  if (places > 0) {
    digits = digits.padStart(places + 1, '0');
    digits = `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  }
  return neg && q !== 0n ? '-' + digits : digits;
}

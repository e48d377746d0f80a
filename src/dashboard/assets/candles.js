// Candle chart on a canvas: OHLC bodies and wicks, volume bars, price and time axes, the
// last price, and a crosshair whose readout shows the hovered candle's exact decimals.
import { fitCanvas, ticks, dateTime } from './util.js';
import { sub, isZero, cmp } from './decimal.js';

const MIN_SPACING = 7;   // px per candle at the densest
const MAX_SPACING = 16;

/** Candles keyed by open_time, merged from REST history and live channel messages. */
export class CandleSeries {
  constructor(venue, interval) {
    this.venue = venue;
    this.interval = interval;
    this.byOpen = new Map();
    this.source = null;  // 'venue' or 'trades', from the first candle
    this.version = 0;
    this.list = [];
    this.listVersion = -1;
  }

  /**
   * Adds or replaces a candle; `history` rows never overwrite a live one. The channel
   * carries the venue's own candles and candles built from trades: like the HTTP API, the
   * venue's win as soon as there are any, so the two never mix in one series.
   */
  put(c, history) {
    if (c.open === null || c.high === null || c.low === null || c.close === null) return;
    if (c.source === 'trades' && this.source === 'venue') return;
    if (c.source === 'venue' && this.source !== 'venue') {
      this.source = 'venue';
      for (const [t, x] of this.byOpen) if (x.source !== 'venue') this.byOpen.delete(t);
    } else if (!this.source) {
      this.source = c.source;
    }
    const old = this.byOpen.get(c.open_time);
    if (old && history && !old.history) return;
    this.byOpen.set(c.open_time, {
      t: c.open_time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume,
      o: Number(c.open), h: Number(c.high), l: Number(c.low), c: Number(c.close),
      v: c.volume === null ? 0 : Number(c.volume), closed: c.closed, history: !!history, source: c.source,
    });
    // Bounded: the chart never shows more than a screenful, history keeps a few more.
    if (this.byOpen.size > 1500) {
      const oldest = Math.min(...this.byOpen.keys());
      this.byOpen.delete(oldest);
    }
    this.version++;
  }

  sorted() {
    if (this.listVersion !== this.version) {
      this.list = [...this.byOpen.values()].sort((a, b) => a.t - b.t);
      this.listVersion = this.version;
    }
    return this.list;
  }
}

export class CandleChart {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.hover = null;
    canvas.addEventListener('mousemove', (e) => {
      this.hover = { x: e.offsetX, y: e.offsetY };
      onChange();
    });
    canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      onChange();
    });
  }

  draw(series, colors, note) {
    const f = fitCanvas(this.canvas);
    if (!f) return;
    const { ctx, w, h } = f;
    const all = series ? series.sorted() : [];
    ctx.font = `11px ${colors.mono}`;
    if (!all.length) {
      ctx.fillStyle = colors.text;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(note || 'Waiting for candles…', w / 2, h / 2);
      return;
    }
    const pad = { l: 8, r: 70, t: 28, b: 22 };
    const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
    const volH = Math.round(ph * 0.18);
    const priceH = ph - volH - 6;
    const fit = Math.max(1, Math.floor(pw / MIN_SPACING));
    const shown = all.slice(-fit);
    const spacing = Math.min(MAX_SPACING, pw / Math.max(shown.length, 1));
    const bodyW = Math.max(1, Math.floor(spacing * 0.68));
    const x0 = pad.l + pw - spacing * shown.length;  // newest candle at the right edge
    const X = (i) => x0 + spacing * i + spacing / 2;

    let lo = Infinity, hi = -Infinity, vmax = 0;
    for (const c of shown) {
      lo = Math.min(lo, c.l);
      hi = Math.max(hi, c.h);
      vmax = Math.max(vmax, c.v);
    }
    if (hi === lo) {
      hi += Math.abs(hi) * 1e-4 || 1;
      lo -= Math.abs(lo) * 1e-4 || 1;
    }
    const span = hi - lo;
    lo -= span * 0.06;
    hi += span * 0.06;
    const Y = (p) => pad.t + priceH - ((p - lo) / (hi - lo)) * priceH;
    const volTop = pad.t + priceH + 6;
    const VY = (v) => volTop + volH - (vmax > 0 ? (v / vmax) * volH : 0);

    // Horizontal grid with price labels.
    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.text;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const yt = ticks(lo, hi, Math.max(3, Math.floor(priceH / 48)));
    for (const t of yt.values) {
      const y = Math.round(Y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, y);
      ctx.lineTo(pad.l + pw, y);
      ctx.stroke();
      ctx.fillText(t.toFixed(yt.decimals), pad.l + pw + 8, y);
    }
    // Vertical grid with time labels, every `every` candles.
    const every = Math.max(1, Math.ceil(84 / spacing));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = shown.length - 1; i >= 0; i -= every) {
      const x = Math.round(X(i)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, pad.t);
      ctx.lineTo(x, pad.t + ph);
      ctx.stroke();
      if (x > pad.l + 30) ctx.fillText(timeLabel(shown[i].t, series.interval), x, pad.t + ph + 6);
    }

    // Volume, then wicks and bodies.
    shown.forEach((c, i) => {
      const up = c.c >= c.o;
      ctx.fillStyle = up ? colors.upFill : colors.downFill;
      const y = VY(c.v);
      ctx.fillRect(Math.round(X(i) - bodyW / 2), y, bodyW, volTop + volH - y);
    });
    shown.forEach((c, i) => {
      const up = c.c >= c.o;
      const col = up ? colors.up : colors.down;
      const x = Math.round(X(i)) + 0.5;
      ctx.strokeStyle = col;
      ctx.beginPath();
      ctx.moveTo(x, Y(c.h));
      ctx.lineTo(x, Y(c.l));
      ctx.stroke();
      const top = Y(Math.max(c.o, c.c)), bot = Y(Math.min(c.o, c.c));
      ctx.fillStyle = col;
      ctx.fillRect(Math.round(X(i) - bodyW / 2), Math.round(top), bodyW, Math.max(1, Math.round(bot - top)));
    });

    // Last price line and tag.
    const last = shown[shown.length - 1];
    const ly = Math.round(Y(last.c)) + 0.5;
    const lastCol = last.c >= last.o ? colors.up : colors.down;
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = lastCol;
    ctx.beginPath();
    ctx.moveTo(pad.l, ly);
    ctx.lineTo(pad.l + pw, ly);
    ctx.stroke();
    ctx.setLineDash([]);
    tag(ctx, last.close, pad.l + pw + 2, ly, lastCol, colors.bg);

    // Crosshair and readout (the hovered candle, else the newest).
    let focus = last;
    const hv = this.hover;
    if (hv && hv.x >= pad.l && hv.x <= pad.l + pw && hv.y >= pad.t && hv.y <= pad.t + ph) {
      const i = Math.min(shown.length - 1, Math.max(0, Math.floor((hv.x - x0) / spacing)));
      focus = shown[i];
      ctx.strokeStyle = colors.text;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(Math.round(X(i)) + 0.5, pad.t);
      ctx.lineTo(Math.round(X(i)) + 0.5, pad.t + ph);
      if (hv.y <= pad.t + priceH) {
        ctx.moveTo(pad.l, Math.round(hv.y) + 0.5);
        ctx.lineTo(pad.l + pw, Math.round(hv.y) + 0.5);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (hv.y <= pad.t + priceH) {
        const p = lo + ((pad.t + priceH - hv.y) / priceH) * (hi - lo);
        tag(ctx, p.toFixed(yt.decimals + 1), pad.l + pw + 2, Math.round(hv.y) + 0.5, colors.grid, colors.strong);
      }
    }
    readout(ctx, focus, series.interval, pad.l, 9, colors);
  }
}

function tag(ctx, text, x, y, bg, fg) {
  const tw = ctx.measureText(text).width + 10;
  ctx.fillStyle = bg;
  ctx.fillRect(x, y - 9, tw, 18);
  ctx.fillStyle = fg;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x + 5, y);
}

function readout(ctx, c, interval, x, y, colors) {
  const change = isZero(c.open) ? null : ((c.c - c.o) / c.o) * 100;
  const parts = [
    [dateTime(c.t) + (c.closed ? '' : ' •'), colors.text],
    ['O', colors.text], [c.open, colors.strong],
    ['H', colors.text], [c.high, colors.strong],
    ['L', colors.text], [c.low, colors.strong],
    ['C', colors.text], [c.close, colors.strong],
  ];
  if (change !== null) {
    const d = sub(c.close, c.open);
    parts.push([`${cmp(d, '0') >= 0 ? '+' : ''}${d} (${change >= 0 ? '+' : ''}${change.toFixed(2)}%)`, cmp(d, '0') >= 0 ? colors.up : colors.down]);
  }
  if (c.volume !== null) parts.push(['V', colors.text], [c.volume, colors.strong]);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const [text, color] of parts) {
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
    x += ctx.measureText(text).width + (text.length === 1 ? 4 : 10);
  }
}

function timeLabel(us, interval) {
  const s = dateTime(us);  // "MM-DD HH:MM"
  return interval === '1d' ? s.slice(0, 5) : s.slice(6);
}

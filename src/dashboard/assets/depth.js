// Depth chart on a canvas: cumulative bid and ask size as step curves around the mid.
// Geometry uses Number() copies of the levels; the readout shows exact decimal text.
import { fitCanvas, ticks, compact } from './util.js';
import { fracDigits, fromBig, toBig } from './decimal.js';

const MAX_LEVELS = 80;  // per side: enough to show the shape without far outliers flattening it

export class DepthChart {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.hoverX = null;
    canvas.addEventListener('mousemove', (e) => {
      this.hoverX = e.offsetX;
      onChange();
    });
    canvas.addEventListener('mouseleave', () => {
      this.hoverX = null;
      onChange();
    });
  }

  draw(book, colors) {
    const f = fitCanvas(this.canvas);
    if (!f) return;
    const { ctx, w, h } = f;
    const v = book && book.shown ? book.view() : { bids: [], asks: [] };
    const bids = side(v.bids.slice(0, MAX_LEVELS));
    const asks = side(v.asks.slice(0, MAX_LEVELS));
    ctx.font = `11px ${colors.mono}`;
    if (!bids.length && !asks.length) {
      ctx.fillStyle = colors.text;
      ctx.textAlign = 'center';
      ctx.fillText('No depth yet', w / 2, h / 2);
      return;
    }
    const pad = { l: 8, r: 58, t: 14, b: 22 };
    const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
    const bb = bids.length ? bids[0].pn : asks[0].pn;
    const ba = asks.length ? asks[0].pn : bids[0].pn;
    const mid = (bb + ba) / 2;
    const reach = Math.max(
      bids.length ? mid - bids[bids.length - 1].pn : 0,
      asks.length ? asks[asks.length - 1].pn - mid : 0,
      Math.abs(ba - bb),
      mid * 1e-5,
    );
    const lo = mid - reach, hi = mid + reach;
    const maxCum = Math.max(bids.length ? bids[bids.length - 1].cn : 0, asks.length ? asks[asks.length - 1].cn : 0);
    const X = (p) => pad.l + ((p - lo) / (hi - lo)) * pw;
    const Y = (c) => pad.t + ph - (c / (maxCum * 1.08 || 1)) * ph;

    // Grid and axes.
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = colors.text;
    const yt = ticks(0, maxCum * 1.08, 4);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const t of yt.values) {
      const y = Math.round(Y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, y);
      ctx.lineTo(pad.l + pw, y);
      ctx.stroke();
      ctx.fillText(compact(t), pad.l + pw + 6, y);
    }
    const xt = ticks(lo, hi, Math.max(2, Math.floor(pw / 110)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xt.values) {
      const x = X(t);
      if (x < pad.l + 20 || x > pad.l + pw - 20) continue;
      ctx.fillText(t.toFixed(xt.decimals), x, pad.t + ph + 6);
    }

    curve(ctx, bids, X, Y, lo, colors.up, colors.upFill);
    curve(ctx, asks, X, Y, hi, colors.down, colors.downFill);

    // Mid marker.
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = colors.text;
    ctx.beginPath();
    ctx.moveTo(Math.round(X(mid)) + 0.5, pad.t);
    ctx.lineTo(Math.round(X(mid)) + 0.5, pad.t + ph);
    ctx.stroke();
    ctx.setLineDash([]);

    if (this.hoverX !== null && this.hoverX >= pad.l && this.hoverX <= pad.l + pw) {
      const price = lo + ((this.hoverX - pad.l) / pw) * (hi - lo);
      const isBid = price < mid;
      const list = isBid ? bids : asks;
      // The deepest level at or inside the cursor price: what a market order to there eats.
      let hit = null;
      for (const l of list) if (isBid ? l.pn >= price : l.pn <= price) hit = l;
      if (hit) {
        const x = X(hit.pn), y = Y(hit.cn);
        ctx.strokeStyle = colors.strong;
        ctx.beginPath();
        ctx.arc(x, y, 3.5, 0, Math.PI * 2);
        ctx.stroke();
        const lines = [`${isBid ? 'Bids ≥' : 'Asks ≤'} ${hit.p}`, `Total ${hit.cs}`];
        const tw = Math.max(...lines.map((s) => ctx.measureText(s).width)) + 14;
        const bx = Math.min(Math.max(x - tw / 2, pad.l), pad.l + pw - tw);
        const by = Math.max(pad.t, y - 44);
        ctx.fillStyle = colors.bg;
        ctx.strokeStyle = colors.grid;
        ctx.fillRect(bx, by, tw, 36);
        ctx.strokeRect(bx + 0.5, by + 0.5, tw - 1, 35);
        ctx.fillStyle = colors.strong;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(lines[0], bx + 7, by + 5);
        ctx.fillText(lines[1], bx + 7, by + 20);
      }
    }
  }
}

/** Levels with exact (cs) and numeric (cn) running totals. */
function side(levels) {
  let scale = 0;
  for (const l of levels) scale = Math.max(scale, fracDigits(l.q));
  let m = 0n, n = 0;
  return levels.map((l) => {
    m += toBig(l.q, scale);
    n += l.qn;
    const total = m;  // the exact text is only rendered for the hovered level
    return { p: l.p, pn: l.pn, cn: n, get cs() { return fromBig(total, scale); } };
  });
}

function curve(ctx, levels, X, Y, edge, stroke, fill) {
  if (!levels.length) return;
  ctx.beginPath();
  ctx.moveTo(X(levels[0].pn), Y(0));
  let prev = 0;
  for (const l of levels) {
    ctx.lineTo(X(l.pn), Y(prev));
    ctx.lineTo(X(l.pn), Y(l.cn));
    prev = l.cn;
  }
  ctx.lineTo(X(edge), Y(prev));
  ctx.lineTo(X(edge), Y(0));
  ctx.closePath();
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.beginPath();
  ctx.moveTo(X(levels[0].pn), Y(0));
  prev = 0;
  for (const l of levels) {
    ctx.lineTo(X(l.pn), Y(prev));
    ctx.lineTo(X(l.pn), Y(l.cn));
    prev = l.cn;
  }
  ctx.lineTo(X(edge), Y(prev));
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.lineWidth = 1;
}

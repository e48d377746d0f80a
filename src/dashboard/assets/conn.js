// The websocket to mdhub's /ws: keeps a desired set of channels subscribed across
// reconnects (exponential backoff with jitter), detects a dead link with pings, and hands
// every parsed message to the page. Each channel is its own subscribe request, so that one
// refused channel (e.g. an instrument that went away) does not take the others with it.

const PING_EVERY_MS = 10000;
const DEAD_AFTER_MS = 25000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 8000;

export class Connection {
  /**
   * @param {string} url ws:// or wss:// address of /ws
   * @param {{onMessage: function(object), onState: function(string, object), onError: function(object)}} hooks
   */
  constructor(url, hooks) {
    this.url = url;
    this.hooks = hooks;
    this.desired = new Set();
    this.active = new Set();  // subscribed on the current socket (requested or confirmed)
    this.pending = new Map(); // request id -> {op, channel}
    this.nextId = 1;
    this.ws = null;
    this.state = 'idle';
    this.attempt = 0;
    this.retryAt = 0;
    this.lastRx = 0;
    this.timer = null;
    this.pinger = setInterval(() => this.keepAlive(), PING_EVERY_MS / 2);
  }

  start() {
    this.open();
  }

  /** Makes `channels` the subscribed set: unsubscribes the rest, subscribes what is new. */
  setChannels(channels) {
    this.desired = new Set(channels);
    if (this.state !== 'open') return;
    for (const ch of [...this.active]) {
      if (!this.desired.has(ch)) {
        this.active.delete(ch);
        this.send('unsubscribe', ch);
      }
    }
    for (const ch of this.desired) {
      if (!this.active.has(ch)) {
        this.active.add(ch);
        this.send('subscribe', ch);
      }
    }
  }

  /** Unsubscribe + subscribe: the server answers a subscription with a fresh snapshot. */
  resubscribe(channel) {
    if (this.state !== 'open' || !this.desired.has(channel)) return;
    this.send('unsubscribe', channel);
    this.send('subscribe', channel);
    this.active.add(channel);
  }

  send(op, channel) {
    const id = this.nextId++;
    this.pending.set(id, { op, channel });
    this.ws.send(JSON.stringify({ op, channels: [channel], id }));
  }

  open() {
    clearTimeout(this.timer);
    this.setState(this.attempt ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastRx = performance.now();
      this.active.clear();
      this.pending.clear();
      this.setState('open');
      for (const ch of this.desired) {
        this.active.add(ch);
        this.send('subscribe', ch);
      }
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastRx = performance.now();
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (e) {
        this.hooks.onError({ code: 'bad_message', message: 'the server sent a frame that is not JSON' });
        return;
      }
      this.route(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.active.clear();
      this.scheduleRetry(ev);
    };
    // onclose follows every error: the retry is scheduled there.
    ws.onerror = () => {};
  }

  route(msg) {
    switch (msg.type) {
      case 'subscribed':
      case 'unsubscribed':
        this.pending.delete(msg.id);
        this.attempt = 0;  // the server is really serving us: reset the backoff
        return;
      case 'pong':
        this.pending.delete(msg.id);
        return;
      case 'error': {
        const req = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (req && req.op === 'subscribe') this.active.delete(req.channel);
        this.hooks.onError({ ...msg, channel: msg.channel || (req && req.channel) });
        return;
      }
      default:
        this.hooks.onMessage(msg);
    }
  }

  keepAlive() {
    if (this.state !== 'open' || !this.ws) return;
    const idle = performance.now() - this.lastRx;
    if (idle > DEAD_AFTER_MS) {
      // No data and no pong: the link is dead even if TCP has not noticed yet.
      const ws = this.ws;
      this.ws = null;
      ws.close();
      this.scheduleRetry({ code: 4000, reason: 'no data' });
    } else if (idle > PING_EVERY_MS) {
      const id = this.nextId++;
      this.pending.set(id, { op: 'ping' });
      this.ws.send(JSON.stringify({ op: 'ping', id }));
    }
  }

  scheduleRetry(ev) {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.retryAt = performance.now() + delay;
    this.setState('reconnecting', { code: ev && ev.code, reason: ev && ev.reason });
    this.timer = setTimeout(() => this.open(), delay);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.hooks.onState(state, detail);
  }
}

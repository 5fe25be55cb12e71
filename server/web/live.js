// @ts-check
/* global WebSocket, location */
/**
 * The live event stream (/ws): subscribes to topics, reconnects with back-off and its last seq so
 * nothing is missed, and tells its owner to reload when the server no longer has the missed events.
 */

/** @typedef {import('./types.js').LiveEvent} LiveEvent */

export class LiveConnection {
  /**
   * @param {{ onEvent: (event: LiveEvent) => void, onReload: () => void, onStatus: (status: 'connecting' | 'live' | 'offline' | 'denied') => void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    /** @type {Set<string>} */
    this.topics = new Set();
    /** @type {number | undefined} the seq of the last event seen; undefined until the first welcome */
    this.lastSeq = undefined;
    /** @type {string | undefined} the server stream lastSeq counts in (a restarted server has a new one) */
    this.stream = undefined;
    /** @type {WebSocket | undefined} */
    this.socket = undefined;
    this.attempt = 0;
    this.closed = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  connect() {
    this.closed = false;
    this.handlers.onStatus('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.handlers.onStatus('live');
      this.sendSubscribe([...this.topics]);
    });
    socket.addEventListener('message', (message) => this.receive(String(message.data)));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // 1008: the server no longer accepts us (signed out, session expired): retrying cannot help.
      if (event.code === 1008) {
        this.closed = true;
        this.handlers.onStatus('denied');
        return;
      }
      this.handlers.onStatus('offline');
      if (!this.closed) this.scheduleReconnect();
    });
  }

  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  /** @param {string[]} topics */
  subscribe(topics) {
    const fresh = topics.filter((t) => !this.topics.has(t));
    for (const t of fresh) this.topics.add(t);
    if (fresh.length > 0) this.sendSubscribe(fresh);
  }

  /** @param {string[]} topics */
  unsubscribe(topics) {
    const known = topics.filter((t) => this.topics.delete(t));
    if (known.length > 0 && this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ action: 'unsubscribe', topics: known }));
  }

  /** @param {string[]} topics */
  sendSubscribe(topics) {
    if (topics.length === 0 || this.socket?.readyState !== WebSocket.OPEN) return;
    /** @type {{ action: string, topics: string[], lastSeq?: number, stream?: string }} */
    const message = { action: 'subscribe', topics };
    if (this.lastSeq !== undefined) message.lastSeq = this.lastSeq;
    if (this.stream !== undefined) message.stream = this.stream;
    this.socket.send(JSON.stringify(message));
  }

  scheduleReconnect() {
    // 0.5 s, 1 s, 2 s … up to 15 s, with jitter so a restarted server is not stormed.
    const delay = Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** @param {string} raw */
  receive(raw) {
    /** @type {any} */
    let message;
    try { message = JSON.parse(raw); } catch { return; }
    if (message.type === 'welcome') {
      // First connection: start from now (the page has just fetched the current state).
      if (this.lastSeq === undefined) this.lastSeq = message.lastSeq;
      // Seq numbers count within one server stream; keep the stream the lastSeq belongs to.
      if (this.stream === undefined) this.stream = message.stream;
      return;
    }
    if (message.type === 'reload') {
      this.lastSeq = message.lastSeq;
      this.stream = message.stream;
      this.handlers.onReload();
      return;
    }
    if (typeof message.topic === 'string' && typeof message.seq === 'number') {
      if (this.lastSeq === undefined || message.seq > this.lastSeq) this.lastSeq = message.seq;
      this.handlers.onEvent(message);
    }
  }
}

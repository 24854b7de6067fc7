// The board's WebSocket, kept open: reconnects by itself and resumes where it left off.
//
// - Every reconnect sends `since` = the seq of the last frame processed, so the server
//   replays exactly what was missed (or sends a fresh snapshot when it cannot).
// - Waits grow exponentially with full jitter, so a room of screens that lost the
//   server together does not come back in one burst.
// - A close with 1013 ("too slow; reconnect with since=N") is just another reconnect:
//   our own last processed seq is the resume point the server asks for.
// - A browser cannot see why a handshake was refused, so after a failed attempt the key
//   is checked over HTTP: a 401 there ends the session instead of retrying for ever.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export class BoardConnection {
  constructor({ url, token, checkKey, onFrame, onState, onUnauthorized }) {
    Object.assign(this, { url, token, checkKey, onFrame, onState, onUnauthorized });
    this.lastSeq = null;
    this.attempt = 0;
    this.lostAt = null; // when the picture stopped being current (null while live)
    this.socket = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.lostAt = new Date();
    this.onState({ state: "connecting", lostAt: null });
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "signed out");
    this.socket = null;
  }

  connect() {
    const query = new URLSearchParams({ token: this.token });
    if (this.lastSeq !== null) query.set("since", String(this.lastSeq));
    const socket = new WebSocket(`${this.url}?${query}`);
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.attempt = 0;
      this.lostAt = null;
      this.onState({ state: "live", lostAt: null });
    });
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      this.onFrame(frame);
      this.lastSeq = frame.seq; // only once processed: a crash above resumes before it
    });
    socket.addEventListener("close", () => {
      if (socket !== this.socket || this.stopped) return;
      this.lostAt ??= new Date();
      this.onState({ state: "reconnecting", lostAt: this.lostAt });
      this.retry(opened);
    });
  }

  async retry(wasOpen) {
    if (!wasOpen && (await this.checkKey()) === "unauthorized") {
      this.stop();
      this.onUnauthorized();
      return;
    }
    if (this.stopped) return;
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    const delay = FIRST_DELAY_MS / 2 + Math.random() * ceiling;
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

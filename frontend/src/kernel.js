// A connection to one running kernel over Jupyter Server's websocket, and the comms on it.
//
// Only what a page of widgets needs: comm_open / comm_msg / comm_close both ways, the
// comm_info request, and the iopub status of each message we sent (ipywidgets throttles a
// widget's updates until the kernel is idle again after the previous one). The messages are
// Jupyter Server's default websocket format: JSON text, or its binary framing when a message
// carries buffers (see jupyter_server/services/kernels/connection/base.py).

const PROTOCOL_VERSION = "5.3";

function uuid() {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Jupyter Server's binary framing: a count, offsets, then the JSON message and the buffers. */
function serializeBinary(msg, buffers) {
  const json = new TextEncoder().encode(JSON.stringify(msg));
  const parts = [json, ...buffers.map((b) => new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength))];
  const header = new DataView(new ArrayBuffer(4 * (parts.length + 1)));
  header.setUint32(0, parts.length);
  let offset = header.byteLength;
  parts.forEach((part, i) => {
    header.setUint32(4 * (i + 1), offset);
    offset += part.byteLength;
  });
  const out = new Uint8Array(offset);
  out.set(new Uint8Array(header.buffer), 0);
  let at = header.byteLength;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out.buffer;
}

function deserializeBinary(data) {
  const view = new DataView(data);
  const count = view.getUint32(0);
  const offsets = [];
  for (let i = 0; i < count; i++) offsets.push(view.getUint32(4 * (i + 1)));
  offsets.push(data.byteLength);
  const msg = JSON.parse(new TextDecoder().decode(new Uint8Array(data, offsets[0], offsets[1] - offsets[0])));
  msg.buffers = [];
  for (let i = 1; i < count; i++) msg.buffers.push(new DataView(data, offsets[i], offsets[i + 1] - offsets[i]));
  return msg;
}

/** Waits before each new attempt after the connection dropped (30 s in all): a phone that
 * slept or a training room's wifi that switched access points comes back within that. */
/** Kernel states after which the page's widgets no longer exist in the kernel. */
const KERNEL_GONE = new Set(["dead", "restarting", "autorestarting"]);

const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 15000];
const STABLE_MS = 5000;

export class KernelConnection {
  /**
   * @param {string} url  the kernel's `.../api/kernels/<id>/channels` websocket URL
   */
  constructor(url) {
    // The same session on every reconnection: Jupyter Server keeps the kernel's messages
    // for a session while it is away and sends them when it is back.
    this.session = uuid();
    this.url = `${url}${url.includes("?") ? "&" : "?"}session_id=${this.session}`;
    this.comms = new Map(); // comm_id -> Comm
    this.callbacks = new Map(); // msg_id -> {iopub, shell}
    this.queue = []; // messages sent while the connection is down, in order
    // Comm messages the page sent (a widget's change) that the kernel has not finished: its
    // iopub status goes back to idle for each. The busy indicator follows this (src/busy.js).
    this.pending = new Set();
    this.onPendingChange = null; // (count) => void
    this.closing = false;
    // Attempts used from RECONNECT_DELAYS_MS: back to 0 only once a connection has held for
    // STABLE_MS, so a server that accepts and drops at once cannot keep the page retrying.
    this.attempt = 0;
    this.onCommOpen = null; // (comm, msg) => void, for comms the kernel opens
    this.onDisconnect = null; // () => void: the connection dropped, reconnecting
    this.onReconnect = null; // () => void: back, queued messages sent
    this.onClose = null; // () => void: no reconnection worked; the page must be reloaded
  }

  /** Resolves when the websocket is open (rejects if the first attempt fails). */
  connect() {
    return this._open().then(() => this);
  }

  /** Stops for good (the page is going away): no reconnection. */
  close() {
    this.closing = true;
    this.ws?.close();
  }

  _open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.binaryType = "arraybuffer";
      let opened = false;
      let stable;
      ws.onopen = () => {
        opened = true;
        stable = setTimeout(() => {
          this.attempt = 0;
        }, STABLE_MS);
        for (const frame of this.queue.splice(0)) ws.send(frame);
        resolve();
      };
      ws.onclose = (event) => {
        clearTimeout(stable);
        if (!opened) {
          reject(new Error(`cannot connect to the kernel (${event.code})`));
        } else if (!this.closing) {
          this._reconnect();
        }
      };
      ws.onmessage = (event) => this._receive(event.data);
      this.ws = ws;
    });
  }

  async _reconnect() {
    this.onDisconnect?.();
    while (this.attempt < RECONNECT_DELAYS_MS.length) {
      const delay = RECONNECT_DELAYS_MS[this.attempt++];
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closing) return;
      try {
        await this._open();
        this.onReconnect?.();
        return;
      } catch {
        // next attempt
      }
    }
    this.onClose?.();
  }

  _write(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(frame);
    } else {
      this.queue.push(frame);
    }
  }

  /** Sends one message; returns its msg_id. */
  send(channel, msgType, content, callbacks, metadata = {}, buffers = []) {
    const msg = {
      header: {
        msg_id: uuid(),
        msg_type: msgType,
        session: this.session,
        username: "",
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: {},
      metadata,
      content,
      channel,
    };
    if (callbacks) this.callbacks.set(msg.header.msg_id, callbacks);
    if (msgType === "comm_msg") {
      this.pending.add(msg.header.msg_id);
      this.onPendingChange?.(this.pending.size);
    }
    if (buffers && buffers.length) {
      this._write(serializeBinary(msg, buffers));
    } else {
      msg.buffers = [];
      this._write(JSON.stringify(msg));
    }
    return msg.header.msg_id;
  }

  /** A shell request whose reply content is returned. */
  request(msgType, content) {
    return new Promise((resolve) => {
      this.send("shell", msgType, content, { shell: { reply: (msg) => resolve(msg.content) } });
    });
  }

  newComm(targetName, commId) {
    const comm = new Comm(this, targetName, commId ?? uuid());
    this.comms.set(comm.comm_id, comm);
    return comm;
  }

  _receive(data) {
    const msg = typeof data === "string" ? JSON.parse(data) : deserializeBinary(data);
    msg.buffers = msg.buffers ?? [];
    const type = msg.header.msg_type;
    const parent = msg.parent_header?.msg_id;
    const callbacks = parent ? this.callbacks.get(parent) : undefined;
    if (msg.channel === "shell") {
      callbacks?.shell?.reply?.(msg);
    } else if (msg.channel === "iopub" && callbacks?.iopub) {
      if (type === "status") {
        callbacks.iopub.status?.(msg);
      } else if (type === "clear_output") {
        callbacks.iopub.clear_output?.(msg);
      } else if (["display_data", "execute_result", "stream", "error"].includes(type)) {
        callbacks.iopub.output?.(msg);
      }
    }
    if (type === "status" && msg.content.execution_state === "idle" && parent) {
      this.callbacks.delete(parent);
      if (this.pending.delete(parent)) this.onPendingChange?.(this.pending.size);
    }
    if (type === "status" && KERNEL_GONE.has(msg.content.execution_state) && !this.closing) {
      // The kernel died (the server restarts it, or gives up): every widget it held is
      // gone, so reconnecting cannot help.
      this.pending.clear();
      this.onPendingChange?.(0);
      this.close();
      this.onClose?.();
      return;
    }
    if (type === "comm_open") {
      const comm = this.newComm(msg.content.target_name, msg.content.comm_id);
      this.onCommOpen?.(comm, msg);
    } else if (type === "comm_msg") {
      this.comms.get(msg.content.comm_id)?._handleMsg(msg);
    } else if (type === "comm_close") {
      const comm = this.comms.get(msg.content.comm_id);
      this.comms.delete(msg.content.comm_id);
      comm?._handleClose(msg);
    }
  }
}

/** A comm as ipywidgets' models expect it (`IClassicComm` of @jupyter-widgets/base). */
class Comm {
  constructor(kernel, targetName, commId) {
    this.kernel = kernel;
    this.target_name = targetName;
    this.comm_id = commId;
    this._onMsg = null;
    this._onClose = null;
  }

  open(data, callbacks, metadata, buffers) {
    const content = { comm_id: this.comm_id, target_name: this.target_name, data: data ?? {} };
    return this.kernel.send("shell", "comm_open", content, callbacks, metadata, buffers);
  }

  send(data, callbacks, metadata, buffers) {
    const content = { comm_id: this.comm_id, data };
    return this.kernel.send("shell", "comm_msg", content, callbacks, metadata, buffers);
  }

  close(data, callbacks, metadata, buffers) {
    this.kernel.comms.delete(this.comm_id);
    const content = { comm_id: this.comm_id, data: data ?? {} };
    return this.kernel.send("shell", "comm_close", content, callbacks, metadata, buffers);
  }

  on_msg(callback) {
    this._onMsg = callback;
  }

  on_close(callback) {
    this._onClose = callback;
  }

  _handleMsg(msg) {
    this._onMsg?.(msg);
  }

  _handleClose(msg) {
    this._onClose?.(msg);
  }
}

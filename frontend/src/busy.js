// The busy indicator: a small status that says the page is waiting for the kernel, for every
// app on the page script. It shows only when an answer takes longer than BUSY_AFTER_MS after
// a change (a slider, a picker, a button), so a quick answer shows nothing, and goes when the
// kernel has finished every change the page sent (see KernelConnection.pending).

/** Wait this long for the kernel before saying the page is busy. */
export const BUSY_AFTER_MS = 300;

export class BusyIndicator {
  /** @param {string} text  what the indicator says (the catalogue's page.busy) */
  constructor(text) {
    this.text = text;
    // A live region must be in the page before its text changes to be announced: the box is
    // always there, and takes no room while it is empty (style.css, .igm-busy:empty).
    this.box = document.createElement("div");
    this.box.className = "igm-busy";
    this.box.setAttribute("role", "status");
    this.box.setAttribute("aria-live", "polite");
    document.body.append(this.box);
    this.since = null;
    this.timer = null;
    this.shown = false;
    // One entry per wait: how long the kernel took and whether the indicator showed
    // (read by tests/apps/test_phone_width_browser.py, and useful when debugging a slow room).
    this.log = [];
  }

  /** Called with the number of changes the kernel has not finished yet. */
  update(pending) {
    if (pending > 0 && this.since === null) {
      this.since = performance.now();
      this.timer = setTimeout(() => this._show(), BUSY_AFTER_MS);
    } else if (pending === 0 && this.since !== null) {
      clearTimeout(this.timer);
      this.log.push({ waitedMs: performance.now() - this.since, shown: this.shown });
      this.since = null;
      this._hide();
    }
  }

  _show() {
    this.shown = true;
    this.box.textContent = this.text;
    document.body.dataset.igmBusy = "true";
  }

  _hide() {
    this.shown = false;
    this.box.textContent = "";
    delete document.body.dataset.igmBusy;
  }
}

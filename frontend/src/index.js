// igm-kit's page script for its Voila apps, in place of Voila's own front end.
//
// Voila renders each app's notebook on the server and leaves one JSON script per cell output
// in the page; this script connects to the page's kernel, fetches every widget's state in one
// request and draws the outputs where those scripts are. It loads as one file (Voila 0.5's
// front end is a JupyterLab application of about 90 files), which is what lets a full room
// get a usable slider quickly (benchmarks/room_load.py).

import "./style.css";
import { BusyIndicator } from "./busy.js";
import { KernelConnection } from "./kernel.js";
import { SUPPORTED_CLASSES, WidgetManager } from "./manager.js";

const OUTPUT_SCRIPT = 'script[type="application/vnd.voila.cell-output+json"]';
const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";

function pageConfig() {
  return JSON.parse(document.getElementById("jupyter-config-data").textContent);
}

/** The kernel's websocket URL, under the page's base URL (also /user/<name>/ on a hub). */
function kernelUrl(config, location) {
  const url = new URL(`${config.baseUrl.replace(/\/?$/, "/")}api/kernels/${encodeURIComponent(config.kernelId)}/channels`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const token = config.token || new URLSearchParams(location.search).get("token");
  if (token) url.searchParams.set("token", token);
  return url.href;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws one cell output in place of its script; widgets through the manager. */
async function renderOutput(script, manager) {
  const output = JSON.parse(script.textContent);
  const node = element("div", "jp-OutputArea-output");
  script.replaceWith(node); // a widget's view can only attach inside the document
  const data = output.data ?? {};
  if (data[WIDGET_VIEW] && manager.has_model(data[WIDGET_VIEW].model_id)) {
    await manager.display(data[WIDGET_VIEW].model_id, node);
  } else if (data["text/html"] !== undefined) {
    node.classList.add("jp-RenderedHTMLCommon");
    node.innerHTML = data["text/html"];
  } else if (data["image/svg+xml"] !== undefined) {
    node.innerHTML = data["image/svg+xml"];
  } else if (data["image/png"] !== undefined || data["image/jpeg"] !== undefined) {
    const mime = data["image/png"] !== undefined ? "image/png" : "image/jpeg";
    const image = document.createElement("img");
    image.src = `data:${mime};base64,${data[mime]}`;
    image.alt = data["text/plain"] ?? "";
    node.append(image);
  } else if (output.output_type === "stream") {
    node.append(element("pre", "", output.text));
  } else if (output.output_type === "error") {
    node.append(element("pre", "", `${output.ename}: ${output.evalue}`));
  } else if (data["text/plain"] !== undefined) {
    node.append(element("pre", "", data["text/plain"]));
  }
}

/** The page script's text ``key`` in the page's language (texts: apps/page.py). */
function pageText(config, key) {
  const texts = config.igmTexts ?? {};
  return (texts[document.documentElement.lang] ?? texts.nl ?? {})[key];
}

/** Shows a notice at the top of the page, in the page's language (texts: apps/page.py);
 * one at a time. */
function notice(config, key) {
  const text = pageText(config, key);
  clearNotice();
  if (!text) return;
  const box = element("div", "igm-page-notice", text);
  box.dataset.key = key;
  box.setAttribute("role", "alert");
  document.body.prepend(box);
}

function clearNotice() {
  document.querySelector(".igm-page-notice")?.remove();
}

/** Stops the page's kernel when the page goes away, as Voila's front end does: a room of
 * learners who reload or close tabs would otherwise leave kernels until the culler comes. */
function shutDownKernelOnLeave(config, kernel) {
  const base = config.baseUrl.replace(/\/?$/, "/");
  window.addEventListener("pagehide", () => {
    kernel.close();
    const form = new FormData();
    form.append("_xsrf", xsrfToken(base));
    navigator.sendBeacon(`${base}voila/api/shutdown/${encodeURIComponent(config.kernelId)}`, form);
  });
}

/** The `_xsrf` cookie's value, which the server checks against the same value in a POST
 * (double submit). Voila's pages do not set the cookie, so without one the page sets its
 * own: another site can neither set nor read this origin's cookies. */
function xsrfToken(path) {
  const found = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  if (found) return decodeURIComponent(found[1]);
  const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  document.cookie = `_xsrf=${token}; path=${path}; SameSite=Strict`;
  return token;
}

// For tests and for anyone debugging a page: what this script can draw.
window.igmPage = { supportedClasses: SUPPORTED_CLASSES };

async function start() {
  const config = pageConfig();
  const scripts = [...document.querySelectorAll(OUTPUT_SCRIPT)];
  const kernel = new KernelConnection(kernelUrl(config, window.location));
  const manager = new WidgetManager(kernel);
  try {
    await kernel.connect();
  } catch (error) {
    console.error(error);
    notice(config, "connection_failed");
    return;
  }
  performance.mark("igm-page:connected");
  shutDownKernelOnLeave(config, kernel);
  kernel.onDisconnect = () => notice(config, "reconnecting");
  kernel.onReconnect = () => clearNotice();
  kernel.onClose = () => notice(config, "connection_lost");
  const busy = new BusyIndicator(pageText(config, "busy") ?? "…");
  kernel.onPendingChange = (count) => busy.update(count);
  window.igmPage.busy = busy;
  await manager.loadAllWidgetStates();
  performance.mark("igm-page:states");
  await Promise.all(scripts.map((script) => renderOutput(script, manager)));
  performance.mark("igm-page:drawn");
  document.body.dataset.igmReady = "true";
}

start().catch((error) => {
  console.error(error);
  notice(pageConfig(), "connection_failed");
});

// Stands in for sanitize-html (about 200 KB with its HTML and CSS parsers), which
// @jupyter-widgets/base-manager imports for its default `inline_sanitize`. The kit's manager
// overrides that method (src/manager.js); should anything still call this, it gets the text
// escaped, never HTML.
export default function sanitize(text) {
  const node = document.createElement("span");
  node.textContent = String(text);
  return node.innerHTML;
}

// Stands in for sanitize-html (about 200 KB with its HTML and CSS parsers), which
// @jupyter-widgets/base-manager imports for its default `inline_sanitize`. Widget
// descriptions are text in the kit (it never sets `description_allow_html`), so the one
// "sanitiser" the page needs escapes everything: the manager's `inline_sanitize` is this too
// (src/manager.js), and nothing is ever parsed as HTML.
export default function escapeHtml(text) {
  const node = document.createElement("span");
  node.textContent = String(text);
  return node.innerHTML;
}

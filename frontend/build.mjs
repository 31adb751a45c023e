// Builds the page script and its stylesheet into the kit's Voila template (committed, so a
// machine with only Python serves them). Run `npm ci && npm run build` here after a change;
// tests/frontend/test_build.py checks that the built files match these sources.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const outdir = join(here, "..", "apps", "jupyter", "voila", "templates", "igm", "static");

/** The hash of every source that goes into the build (also computed by the test). */
function sourcesHash() {
  const files = ["build.mjs", "package.json", "package-lock.json"];
  for (const name of readdirSync(join(here, "src")).sort()) files.push(`src/${name}`);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(here, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

// What the page script is built against, written beside it as igm-page.versions.json so that
// tests/frontend/test_pins.py can check the Python side the kit installs: the npm packages as
// installed (their exact versions), the Python packages they are the front end of
// (package.json's "pythonCounterparts", pinned exactly in pyproject.toml), and the widget
// protocol versions the npm packages speak, under the names ipywidgets gives them in Python.
const BUNDLED = ["@jupyter-widgets/base", "@jupyter-widgets/base-manager", "@jupyter-widgets/controls", "anywidget"];
const PROTOCOLS = [
  // [ipywidgets' attribute, the npm file that defines the same version, its constant there]
  ["__protocol_version__", "@jupyter-widgets/base/lib/version.js", "PROTOCOL_VERSION"],
  ["__control_protocol_version__", "@jupyter-widgets/base-manager/lib/manager-base.js", "CONTROL_COMM_PROTOCOL_VERSION"],
  ["__jupyter_widgets_base_version__", "@jupyter-widgets/base/lib/version.js", "JUPYTER_WIDGETS_VERSION"],
  ["__jupyter_widgets_controls_version__", "@jupyter-widgets/controls/lib/version.js", "JUPYTER_CONTROLS_VERSION"],
];

function installedVersion(name) {
  return JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;
}

function exportedString(file, constant) {
  const source = readFileSync(join(here, "node_modules", file), "utf8");
  const found = source.match(new RegExp(`export const ${constant} = ['"]([^'"]+)['"]`));
  if (!found) throw new Error(`node_modules/${file}: no 'export const ${constant} = "…"'`);
  return found[1];
}

function builtAgainst(hash) {
  const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
  const npm = Object.fromEntries(BUNDLED.map((name) => [name, installedVersion(name)]));
  for (const name of BUNDLED) {
    if (npm[name] !== pkg.devDependencies[name]) {
      throw new Error(`${name} ${npm[name]} is installed, package.json pins ${pkg.devDependencies[name]}: run npm ci`);
    }
  }
  const python = pkg.pythonCounterparts;
  // anywidget's Python package ships this very npm package (its labextension) under one version.
  if (python.anywidget !== npm.anywidget) {
    throw new Error(`pythonCounterparts.anywidget ${python.anywidget} is not the npm anywidget ${npm.anywidget}`);
  }
  const ipywidgets = Object.fromEntries(PROTOCOLS.map(([attribute, file, constant]) => [attribute, exportedString(file, constant)]));
  return { sources_sha256: hash, npm, python, ipywidgets_protocols: ipywidgets };
}

// anywidget's npm build is an AMD module (`define([...], factory)`); take the factory.
const anywidgetAsEsm = {
  name: "anywidget-as-esm",
  setup(build) {
    build.onLoad({ filter: /anywidget[\\/]dist[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const amd = 'define(["@jupyter-widgets/base"], widget_default);';
      if (!source.includes(amd)) {
        throw new Error(`${relative(here, args.path)}: expected '${amd}' (anywidget's build changed)`);
      }
      return { contents: source.replace(amd, "export default widget_default;"), loader: "js" };
    });
  },
};

// Not bundled: sanitize-html (see src/no-sanitize-html.js). Lumino's packages have no side
// effects on import, but do not say so; saying it lets esbuild leave out what is unused.
const trim = {
  name: "trim",
  setup(build) {
    build.onResolve({ filter: /^sanitize-html$/ }, () => ({ path: join(here, "src", "no-sanitize-html.js") }));
    build.onResolve({ filter: /^@lumino\// }, async (args) => {
      if (args.pluginData?.lumino) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { lumino: true },
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

const hash = sourcesHash();
const banner = `/* igm-kit page script, built by frontend/build.mjs from sources sha256:${hash} */`;
const versions = builtAgainst(hash);
await esbuild.build({
  entryPoints: { "igm-page": join(here, "src", "index.js") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  outdir,
  banner: { js: banner, css: banner },
  loader: { ".svg": "dataurl", ".png": "dataurl", ".woff": "dataurl", ".woff2": "dataurl" },
  plugins: [anywidgetAsEsm, trim],
  logLevel: "info",
});
writeFileSync(join(outdir, "igm-page.versions.json"), `${JSON.stringify(versions, null, 2)}\n`);

// Builds the page script and its stylesheet into the kit's Voila template (committed, so a
// machine with only Python serves them). Run `npm ci && npm run build` here after a change;
// tests/frontend/test_build.py checks that the built files match these sources.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
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

const banner = `/* igm-kit page script, built by frontend/build.mjs from sources sha256:${sourcesHash()} */`;
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

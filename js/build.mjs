// Bundle each widget entry (js/<name>/index.js) into nbwidgets/static/<name>.js (+ .css).

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const entries = ["grid", "form", "feedback", "experiment"].filter((name) => existsSync(join(here, name, "index.js")));

await build({
  entryPoints: Object.fromEntries(entries.map((name) => [name, join(here, name, "index.js")])),
  outdir: join(here, "..", "nbwidgets", "static"),
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  logLevel: "info",
});

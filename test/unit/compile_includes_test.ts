/**
 * The compiled binary embeds every module it loads at run time: each Worker module and
 * each dynamically imported module in lib/ must be named with --include in
 * scripts/compile.sh (deno compile leaves them out otherwise, and the binary fails at its
 * first Worker).
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";

const repo = new URL("../../", import.meta.url).pathname;

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** Modules loaded at run time: `new URL("./x.ts", import.meta.url)` and `import("./x.ts")`. */
function runtimeModules(): Set<string> {
  const found = new Set<string>();
  const patterns = [/new URL\("(\.[^"]+\.ts)", import\.meta\.url\)/g, /import\("(\.[^"]+\.ts)"\)/g];
  for (const file of sources(join(repo, "lib"))) {
    const text = Deno.readTextFileSync(file);
    for (const pattern of patterns) {
      for (const [, spec] of text.matchAll(pattern)) {
        found.add(relative(repo, join(dirname(file), spec)));
      }
    }
  }
  return found;
}

Deno.test("every Worker and dynamically imported module of lib/ is --include'd by deno task compile", () => {
  const script = Deno.readTextFileSync(join(repo, "scripts/compile.sh"));
  const list = /includes=\(([^)]*)\)/.exec(script)![1].split(/\s+/).filter(Boolean);
  const modules = runtimeModules();
  assert.ok(modules.size >= 4, `found only ${[...modules]}`);
  assert.deepEqual([...modules].filter((m) => !list.includes(m)).sort(), []);
  for (const module of list) {
    assert.ok(modules.has(module), `${module} is included but never loaded`);
  }
});

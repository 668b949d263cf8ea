/**
 * Runs backup.ts or restore.ts (BENCH_PROFILE_SCRIPT, the script's flags in Deno.args) so
 * that `--cpu-prof` also writes every Worker's profile. Deno drops the profile of a Worker
 * terminated while its event loop is idle, which is how restore.ts ends its producers; so
 * each Worker module is wrapped in one that keeps a timer pending, and the exit waits for
 * the Workers to write. Profiling only.
 */
const script = Deno.env.get("BENCH_PROFILE_SCRIPT");
if (!script) throw new Error("BENCH_PROFILE_SCRIPT must name backup.ts or restore.ts");

const wrappers: string[] = [];
const Original = globalThis.Worker;

globalThis.Worker = class ProfiledWorker extends Original {
  constructor(specifier: string | URL, options?: WorkerOptions) {
    const wrapper = Deno.makeTempFileSync({ prefix: "kb-profile-worker-", suffix: ".ts" });
    Deno.writeTextFileSync(
      wrapper,
      `import ${JSON.stringify(String(specifier))};\nsetInterval(() => {}, 1000);\n`,
    );
    wrappers.push(wrapper);
    super(new URL(`file://${wrapper}`), options);
  }
};

// A Worker writes its profile on its own thread as it ends; an immediate process exit can
// beat it. Give the terminated Workers a moment before exiting.
const exit = Deno.exit;
Object.defineProperty(Deno, "exit", {
  value: (code?: number) => {
    setTimeout(() => {
      for (const wrapper of wrappers) Deno.removeSync(wrapper);
      exit(code);
    }, 2000);
  },
});

await import(new URL(script, `file://${Deno.cwd()}/`).href);

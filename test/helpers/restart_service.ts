/**
 * Crashing and restarting a service that test/services/services.sh started (kill -9, a
 * pause, the same command line again: a broker keeps its log and Azurite its blobs on
 * disk, so both come back with their data). The new process is started with setsid, not
 * tied to this one (a parent-death signal would fire when the spawning *thread* ends, and
 * deno test runs each test file on a thread of its own); its pid replaces the old one in
 * the pid file, so services_stop still stops it.
 */
import { requireEnv } from "./env.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops service `name` with `signal` (SIGKILL: a crash), starts it again after `downMs`,
 * and resolves once `ready()` does.
 */
export async function crashAndRestartService(
  name: string,
  downMs: number,
  ready: () => Promise<boolean>,
  signal: Deno.Signal = "SIGKILL",
): Promise<void> {
  const pidFile = `${requireEnv("KB_TEST_RUN_DIR")}/${name}.service.pid`;
  const pid = Number((await Deno.readTextFile(pidFile)).trim());
  const args = new TextDecoder().decode(await Deno.readFile(`/proc/${pid}/cmdline`)).split("\0")
    .filter((arg) => arg !== "");
  Deno.kill(pid, signal);
  while (await isAlive(pid)) await sleep(50);
  await sleep(downMs);
  const log = `${requireEnv("KB_TEST_RUN_DIR")}/logs/${name}-restarted.log`;
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", 'exec "$@" >>"$0" 2>&1', log, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  await Deno.writeTextFile(pidFile, `${child.pid}\n`);
  for (let i = 0; i < 300 && !(await ready()); i++) await sleep(100);
  if (!(await ready())) throw new Error(`${name} did not come back after its restart`);
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

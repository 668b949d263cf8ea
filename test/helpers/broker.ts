/**
 * Crashing and restarting a test broker that test/services/services.sh started, for the
 * chaos run: the broker process gets SIGKILL (as in a machine crash, no clean shutdown)
 * and starts again on the same ports with the same data directory.
 */
import { requireEnv } from "./env.ts";
import { testKafka } from "./kafka.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidFile(name: string): string {
  return `${requireEnv("KB_TEST_RUN_DIR")}/${name}.service.pid`;
}

/** The command line of a running process, from /proc. */
async function commandLine(pid: number): Promise<string[]> {
  const raw = await Deno.readFile(`/proc/${pid}/cmdline`);
  return new TextDecoder().decode(raw).split("\0").filter((arg) => arg !== "");
}

/**
 * Kills broker `name` ("kafka" or "kafka2") with SIGKILL, waits `downMs`, and starts it
 * again with the command line it had. Its pid replaces the old one in the pid file, so
 * services_stop still stops it. Resolves once the broker answers admin calls again.
 */
export async function crashAndRestartBroker(
  name: string,
  bootstrap: string,
  downMs: number,
): Promise<void> {
  const pid = Number((await Deno.readTextFile(pidFile(name))).trim());
  const args = await commandLine(pid);
  Deno.kill(pid, "SIGKILL");
  while (await isAlive(pid)) await sleep(50);
  await sleep(downMs);
  // Not tied to this process (a parent-death signal fires when the spawning *thread*
  // ends, and deno test runs each test file on a thread of its own): the pid file is what
  // services_stop, and the next start's reaping of stale runs, stop it by. The broker logs
  // to its server.log (log4j2), not to the console.
  const child = new Deno.Command("setsid", {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  await Deno.writeTextFile(pidFile(name), `${child.pid}\n`);
  await waitUntilReady(bootstrap);
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

/** Waits until the broker answers admin calls and has a group coordinator (at most 90 s). */
export async function waitUntilReady(bootstrap: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const admin = testKafka(bootstrap).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.fetchOffsets({ groupId: "kafka-backup-test-ready", topics: [] });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`broker ${bootstrap} did not come back: ${error}`);
      await sleep(250);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

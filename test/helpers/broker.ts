/**
 * Crashing and restarting a test broker that test/services/services.sh started, for the
 * chaos run: the broker process gets SIGKILL (as in a machine crash, no clean shutdown)
 * and starts again on the same ports with the same data directory.
 */
import { testKafka } from "./kafka.ts";
import { crashAndRestartService } from "./restart_service.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills broker `name` ("kafka" or "kafka2") with SIGKILL, waits `downMs`, and starts it
 * again with the command line it had (restart_service.ts). Resolves once the broker
 * answers admin calls again.
 */
export async function crashAndRestartBroker(
  name: string,
  bootstrap: string,
  downMs: number,
): Promise<void> {
  await crashAndRestartService(name, downMs, async () => {
    await waitUntilReady(bootstrap);
    return true;
  });
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

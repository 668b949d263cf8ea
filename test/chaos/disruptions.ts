/**
 * What may happen to a script's surroundings while it runs, before it is killed: the
 * object store cut off or failing requests, Azurite restarted, the disk filling up, the
 * broker crashing, a second backup joining the group.
 */
import { kafkaBootstrap2 } from "../helpers/env.ts";
import { crashAndRestartBroker } from "../helpers/broker.ts";
import { restartAzurite } from "../helpers/azurite.ts";
import { fillDisk } from "../helpers/tmpfs.ts";
import type { ChaosStorage } from "./storage.ts";

export const DISRUPTIONS = [
  "none",
  "storage cut",
  "throttling",
  "azurite restart",
  "disk full",
  "broker crash",
  "second member",
] as const;

export type Disruption = typeof DISRUPTIONS[number];

/** The broker the chaos run uses and may crash (the main one is left alone). */
export const BROKER = "kafka2";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a disruption can happen at all. */
export interface Setting {
  storage: ChaosStorage["kind"];
  backup: boolean;
  /** The backup's directory is a tmpfs of its own. */
  tmpfs: boolean;
}

/** Whether `disruption` can happen in `setting`. */
export function applies(disruption: Disruption, setting: Setting): boolean {
  switch (disruption) {
    case "storage cut":
    case "throttling":
      return setting.storage !== "local";
    case "azurite restart":
      return setting.storage === "azure";
    case "disk full":
      return setting.backup && setting.tmpfs;
    case "second member":
      return setting.backup;
    default:
      return true;
  }
}

/** One disruption that can happen in `setting`, each equally likely. */
export function pickDisruption(random: () => number, setting: Setting): Disruption {
  const possible = DISRUPTIONS.filter((d) => applies(d, setting));
  return possible[Math.floor(random() * possible.length)];
}

/** Whether `disruption` begins as the script starts, rather than at a random moment after. */
export const startsWithScript = (disruption: Disruption): boolean => disruption === "throttling";

/**
 * Lets `disruption` happen to a running script's storage or broker, and returns a
 * function that ends it (the network back, the faults off, the disk space freed).
 * "second member" is the caller's: it starts another process.
 */
export async function disrupt(
  disruption: Disruption,
  storage: ChaosStorage,
  random: () => number,
): Promise<() => Promise<void>> {
  const nothing = () => Promise.resolve();
  switch (disruption) {
    case "storage cut":
      storage.cut!.down();
      await sleep(500 + random() * 1500);
      return () => Promise.resolve(storage.cut!.up());
    case "throttling":
      // A third of the requests fail (503 SlowDown, 500, a download cut half-way) until the
      // end. It starts with the script (startsWithScript): a restore reads ahead, so most
      // of its downloads come in its first second.
      storage.faults!.rate = 0.33;
      return () => Promise.resolve(void (storage.faults!.rate = 0));
    case "azurite restart":
      // SIGTERM: Azurite saves its blob index as it stops. (A SIGKILL loses what it
      // acknowledged in the last 5 s, a loss of the server's that no client can prevent.)
      await restartAzurite(500 + random() * 2500, "SIGTERM");
      await sleep(random() * 2000);
      return nothing;
    case "disk full":
      return await fillDisk(storage.dir);
    case "broker crash":
      // The broker crashes under the running script and comes back; the script must ride
      // through it (kafkajs reconnects), and is killed a moment later.
      await crashAndRestartBroker(BROKER, kafkaBootstrap2(), 500 + random() * 2500);
      await sleep(random() * 2000);
      return nothing;
    default:
      return nothing;
  }
}

/**
 * The only place that changes kafkajs: every patch of this folder, installed in order,
 * once, for the exact kafkajs version they were written against, as soon as this module
 * loads (lib/kafka/kafkajs.ts imports it before kafkajs itself). Each patch file says in
 * its first lines what it replaces and why.
 *
 * Order matters: kafkajs's modules take their dependencies when they load, so a module
 * replacement (through the CommonJS module cache) must happen before anything requires a
 * module that depends on it. So no patch requires a kafkajs module when it is imported:
 * each does in its `install`, called here, module replacements first (in dependency
 * order), prototype patches after. Any other kafkajs version fails at start, loudly: a
 * patch written for one version's internals can silently mean something else in another.
 */
import { createRequire } from "node:module";
import * as encoder from "./encoder.ts";
import * as recordEncoder from "./record_encoder.ts";
import * as batchDecoder from "./batch_decoder.ts";
import * as fetchResponse from "./fetch_response.ts";
import * as produceRequest from "./produce_request.ts";
import * as requestFraming from "./request_framing.ts";
import * as beforeJoin from "./before_join.ts";
import * as concurrentTransactions from "./concurrent_transactions.ts";
import * as coordinatorCache from "./coordinator_cache.ts";
import * as transactionRefusals from "./transaction_refusals.ts";
import * as requestQueueTimer from "./request_queue_timer.ts";

/** The kafkajs version these patches were written and tested against. */
export const KAFKAJS_VERSION = "2.2.4";

const PATCHES = [
  encoder,
  recordEncoder,
  batchDecoder,
  fetchResponse,
  produceRequest,
  requestFraming,
  beforeJoin,
  concurrentTransactions,
  coordinatorCache,
  transactionRefusals, // wraps the cached lookup
  requestQueueTimer,
];

/** Throws when the installed kafkajs is not KAFKAJS_VERSION. */
export function checkKafkajsVersion(found: string): void {
  if (found !== KAFKAJS_VERSION) {
    throw new Error(
      `kafkajs ${found} is installed, but lib/kafka/patches/ was written for kafkajs ` +
        `${KAFKAJS_VERSION}: review every patch against the new version before changing the pin`,
    );
  }
}

let installed = false;

/** Installs every patch (once per isolate). */
export function installPatches(): void {
  if (installed) return;
  const { version } = createRequire(import.meta.url)("kafkajs/package.json");
  checkKafkajsVersion(version);
  for (const patch of PATCHES) patch.install();
  installed = true;
}

installPatches();

#!/usr/bin/env -S deno run --allow-net --allow-read --allow-write --allow-env --allow-sys
/**
 * Restores a backup made by backup.ts into Kafka.
 * Usage: deno run --allow-net --allow-read --allow-write --allow-env --allow-sys restore.ts restore.json
 */
import { restoreMain } from "./lib/restore/cli.ts";
import { runCli } from "./lib/cli/run_cli.ts";

Deno.exit(await runCli(() => restoreMain(Deno.args)));

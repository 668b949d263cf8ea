#!/usr/bin/env -S deno run --allow-net --allow-read --allow-write --allow-env --allow-sys
/**
 * Backs up Kafka topics into checksummed chunk archives.
 * Usage: deno run --allow-net --allow-read --allow-write --allow-env --allow-sys backup.ts backup.json
 */
import { backupMain } from "./lib/backup/cli.ts";
import { runCli } from "./lib/cli/run_cli.ts";

Deno.exit(await runCli(() => backupMain(Deno.args)));

#!/usr/bin/env -S deno run --allow-net --allow-read --allow-write --allow-env --allow-sys
/**
 * One entry for both commands, for the compiled binary and the container image:
 *   kafka-backup backup [options] <backup.json>
 *   kafka-backup restore [options] <restore.json>
 * Every flag of backup.ts and restore.ts works the same after the command name.
 */
import { backupMain } from "./lib/backup/cli.ts";
import { restoreMain } from "./lib/restore/cli.ts";
import { runCli } from "./lib/cli/run_cli.ts";
import { dispatch } from "./lib/cli/dispatch.ts";

Deno.exit(await runCli(() => dispatch(Deno.args, { backup: backupMain, restore: restoreMain })));

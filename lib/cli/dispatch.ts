/** The single binary's first argument: which command runs (kafka-backup.ts). */
import { ExitCode, UsageError } from "../errors.ts";

export const DISPATCH_USAGE = `Usage: kafka-backup <command> [options] <job.json>

Commands:
  backup    back up Kafka topics into a checksummed archive (kafka-backup backup --help)
  restore   restore an archive into Kafka, exactly once (kafka-backup restore --help)`;

type Command = (args: string[]) => Promise<number>;

/** Runs the command `args[0]` names with the rest of the arguments. */
export async function dispatch(
  args: string[],
  commands: { backup: Command; restore: Command },
): Promise<number> {
  const [name, ...rest] = args;
  if (name === "-h" || name === "--help" || name === "help") {
    console.log(DISPATCH_USAGE);
    return ExitCode.ok;
  }
  if (name === "backup" || name === "restore") return await commands[name](rest);
  throw new UsageError(
    name === undefined ? "No command given" : `Unknown command "${name}"`,
    DISPATCH_USAGE,
  );
}

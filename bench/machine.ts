/** The machine a result was measured on: figures mean little without it. */

/** Cores, memory, CPU, and the versions of what ran. */
export interface Machine {
  nproc: number;
  memoryBytes: number;
  cpuModel: string;
  deno: string;
  kafka: string;
  kcat: string;
  /** Commit of the repository, with "+dirty" when the working tree had changes. */
  commit: string;
}

async function output(command: string, args: string[], cwd?: string): Promise<string> {
  try {
    const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "null" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "unknown";
  }
}

/** Describes this machine; `repo` is where test/services/versions.sh pins the Kafka version. */
export async function describeMachine(repo: string): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const versions = await Deno.readTextFile(`${repo}/test/services/versions.sh`);
  const kcat = await output("kcat", ["-V"]);
  const dirty = await output("git", ["status", "--porcelain"], repo);
  return {
    nproc: Number(await output("nproc", [])),
    memoryBytes: Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    deno: Deno.version.deno,
    kafka: /^KAFKA_VERSION=(\S+)/m.exec(versions)?.[1] ?? "unknown",
    kcat: /Version (\S+)/.exec(kcat)?.[1] ?? "unknown",
    commit: (await output("git", ["rev-parse", "--short", "HEAD"], repo)) +
      (dirty && dirty !== "unknown" ? "+dirty" : ""),
  };
}

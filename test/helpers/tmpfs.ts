/**
 * A small tmpfs mounted over a test directory, to fill a disk for real (the suite runs
 * as root; `canMount` says whether this process may mount).
 */

export const canMount = Deno.uid() === 0;

async function run(args: string[]): Promise<void> {
  const out = await new Deno.Command(args[0], { args: args.slice(1) }).output();
  if (!out.success) {
    throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Mounts a tmpfs of `size` (e.g. "3m") on `dir`. */
export const mountTmpfs = (dir: string, size: string): Promise<void> =>
  run(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);

/** Gives the tmpfs on `dir` a new size (it keeps its files). */
export const resizeTmpfs = (dir: string, size: string): Promise<void> =>
  run(["mount", "-o", `remount,size=${size}`, dir]);

/** Unmounts `dir` (lazily, so a file still open there does not stop it); never throws. */
export async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: ["-l", dir] }).output();
}

/**
 * Fills the file system of `dir` to the last block with one filler file, and returns a
 * function that deletes it again (the space comes back).
 */
export async function fillDisk(dir: string): Promise<() => Promise<void>> {
  const path = `${dir}/.chaos-filler`;
  const file = await Deno.open(path, { write: true, create: true });
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const block = new Uint8Array(size);
      try {
        for (;;) await file.write(block);
      } catch (error) {
        if (!isNoSpace(error)) throw error;
      }
    }
  } finally {
    file.close();
  }
  return () => Deno.remove(path);
}

function isNoSpace(error: unknown): boolean {
  return error instanceof Error && /ENOSPC|No space left/i.test(`${error.name} ${error.message}`);
}

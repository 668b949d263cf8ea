/**
 * One backup process per staging directory. A cloud backup treats what it finds staged
 * as its own: at start it uploads the chunks there and removes unfinished writes. A
 * second process staging into the same directory would upload the first one's chunks
 * under its feet and remove the chunk it is halfway through writing, leaving a staged
 * index entry without its chunk. The lock (flock) dies with its process, kill -9 included.
 */
import { join } from "node:path";
import { RefusedError, StorageError } from "../errors.ts";

/** The lock file's name: not an archive key, so listings of the directory ignore it. */
export const STAGING_LOCK_FILE = ".kafka-backup.lock";

/**
 * Takes the staging directory's lock for this process's lifetime (creating the directory
 * when missing), or throws RefusedError (exit 6) naming the directory and the process
 * that holds it; StorageError (exit 4) when the directory cannot be used at all.
 */
export async function lockStagingDir(dir: string): Promise<Deno.FsFile> {
  const path = join(dir, STAGING_LOCK_FILE);
  let file: Deno.FsFile;
  try {
    await Deno.mkdir(dir, { recursive: true });
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new StorageError(
      `Cannot use the staging directory ${dir} (FILESYSTEM_BACKUP_DIR): ${
        error instanceof Error ? error.message : error
      }`,
      { cause: error },
    );
  }
  if (!(await file.tryLock(true))) {
    const holder = (await Deno.readTextFile(path).catch(() => "")).trim();
    file.close();
    throw new RefusedError(
      `The staging directory ${dir} (FILESYSTEM_BACKUP_DIR) is in use by another running ` +
        `backup${holder ? ` (pid ${holder})` : ""}: give each backup process of a cloud ` +
        "archive its own FILESYSTEM_BACKUP_DIR",
    );
  }
  // For the message above: which process holds it.
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return file;
}

/**
 * The fixed choices of job keys that the job parsers check. They live apart from the
 * parsers so that the key table (key_docs.ts), which keys.ts and so the parsers import,
 * can list them without an import circle.
 */

export const BACKUP_RUN_MODES = ["continuous", "once"] as const;
export type BackupRunMode = typeof BACKUP_RUN_MODES[number];

export const COMPRESSIONS = ["zstd", "gzip", "none"] as const;
export type Compression = typeof COMPRESSIONS[number];

export const RESTORE_RUN_MODES = ["once", "follow"] as const;
export type RestoreRunMode = typeof RESTORE_RUN_MODES[number];

export const PARTITION_STRATEGIES = ["same", "random", "key"] as const;
export type PartitionStrategy = typeof PARTITION_STRATEGIES[number];

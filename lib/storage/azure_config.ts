/** The job keys of the Azure Blob backend (FILESYSTEM_TYPE "AZURE") and the config they give. */
import { describeValue } from "../config/issues.ts";
import type { Check, JobFields } from "../config/job_fields.ts";
import { matching, type StorageKeyDoc } from "../config/key_doc.ts";
import { definedOnly } from "../config/values.ts";
import {
  CLOUD_KEY_DOCS,
  CLOUD_KEYS,
  HTTP_URL,
  httpUrl,
  readPrefix,
  readTimeoutMs,
} from "./cloud_config.ts";

/** The keys only an Azure job reads. */
export const AZURE_KEYS = ["CONTAINER_NAME", "AZURE_ACCOUNT_URL", ...CLOUD_KEYS] as const;

/** The archive is in an Azure Blob container; credentials come from the environment. */
export interface AzureStorageConfig {
  type: "azure";
  container: string;
  prefix: string;
  accountUrl?: string;
  /** STORAGE_TIMEOUT_SECONDS, in milliseconds. */
  timeoutMs: number;
  stagingDir: string;
}

/** An Azure container name: 3-63 lowercase letters, digits and single hyphens. */
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

const containerName: Check<string> = (value, at) => {
  if (typeof value === "string" && CONTAINER_NAME.test(value)) return value;
  return at.fail(
    `expected a container name (3-63 lowercase letters, digits and single "-", starting and ending ` +
      `with a letter or digit), got ${describeValue(value)}`,
  );
};

/** What each Azure key means, for docs and the job schemas (key_doc.ts). */
export const AZURE_KEY_DOCS: Record<typeof AZURE_KEYS[number], StorageKeyDoc> = {
  CONTAINER_NAME: {
    description: "the Azure Blob container of the archive",
    value: matching(CONTAINER_NAME),
    required: true,
  },
  AZURE_ACCOUNT_URL: {
    description: "https://<account>.blob.core.windows.net (default: from the credentials)",
    value: matching(HTTP_URL),
  },
  ...CLOUD_KEY_DOCS,
};

/**
 * The Azure storage of a job whose FILESYSTEM_BACKUP_DIR is `stagingDir`. Every key is
 * checked even without a staging directory; undefined when the container or the directory
 * is missing or invalid (already reported).
 */
export function readAzureConfig(
  fields: JobFields,
  stagingDir: string | undefined,
): AzureStorageConfig | undefined {
  const container = fields.required(
    "CONTAINER_NAME",
    containerName,
    ' (FILESYSTEM_TYPE is "AZURE")',
  );
  const config = definedOnly<AzureStorageConfig>({
    type: "azure",
    container: container ?? "",
    prefix: readPrefix(fields),
    accountUrl: fields.optional("AZURE_ACCOUNT_URL", httpUrl),
    timeoutMs: readTimeoutMs(fields),
    stagingDir: stagingDir ?? "",
  });
  return container === undefined || stagingDir === undefined ? undefined : config;
}

/** Where an Azure archive is, for the restore fingerprint: not the account URL or staging. */
export function azureLocation(config: AzureStorageConfig): Record<string, string> {
  return { type: "azure", container: config.container, prefix: config.prefix };
}

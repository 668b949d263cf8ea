/**
 * Azurite, the Azure Blob server of the test services: a container of its own per test,
 * its endpoint moved behind a proxy, the library's backend on it, and a restart.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { azureConnectionString, randomName } from "./env.ts";
import { crashAndRestartService } from "./restart_service.ts";
import { AzureBlobBackend } from "../../lib/storage/azure.ts";

/** A new container with a random name (prefixed `prefix`). */
export async function createContainer(prefix = "container"): Promise<string> {
  const container = randomName(prefix);
  await BlobServiceClient.fromConnectionString(azureConnectionString()).getContainerClient(
    container,
  ).create();
  return container;
}

/** Azurite's origin, e.g. http://127.0.0.1:10000. */
export const azuriteUrl = (): string =>
  new URL(/BlobEndpoint=([^;]+)/.exec(azureConnectionString())![1]).origin;

/** The Azurite connection string with its blob endpoint moved to `url` (a proxy's). */
export const azureVia = (url: string): string =>
  azureConnectionString().replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${url}/devstoreaccount1`);

/**
 * The library's backend on `container`. The connection string is read at construction
 * and then unset again, so that scripts that later tests start do not inherit it.
 */
export function azuriteBackend(container: string): AzureBlobBackend {
  Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azureConnectionString());
  try {
    return new AzureBlobBackend({ container });
  } finally {
    Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
  }
}

async function azuriteAnswers(): Promise<boolean> {
  try {
    await BlobServiceClient.fromConnectionString(azureConnectionString()).getProperties();
    return true;
  } catch {
    return false;
  }
}

/**
 * Azurite stopped with `signal` and started again on the same data after `downMs`.
 * It saves its blob index every 5 s: after a SIGKILL it forgets what it acknowledged
 * since the last save (a loss of the server's that no client can prevent), so a caller
 * that kills it waits for a save first; SIGTERM shuts it down with its index saved.
 */
export const restartAzurite = (downMs: number, signal: Deno.Signal = "SIGKILL"): Promise<void> =>
  crashAndRestartService("azurite", downMs, azuriteAnswers, signal);

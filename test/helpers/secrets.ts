/** Looking for secret values in what a run left behind: its output, files, stored objects. */
import { Buffer } from "node:buffer";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";

/** A secret and every spelling of it a leak could take. */
export interface Secret {
  name: string;
  forms: Buffer[];
}

/** A secret written as text (a password, an access key): as is and URL-encoded. */
export function textSecret(name: string, value: string): Secret {
  return {
    name,
    forms: [...new Set([value, encodeURIComponent(value)])].map((f) => Buffer.from(f)),
  };
}

/** A key given as bytes: the raw bytes and their hex, base64 and base64url text. */
export function keySecret(name: string, raw: Uint8Array): Secret {
  const bytes = Buffer.from(raw);
  const texts = ["hex", "base64", "base64url"].map((e) => bytes.toString(e as BufferEncoding));
  return { name, forms: [bytes, ...texts.map((t) => Buffer.from(t))] };
}

/** "<where>: <secret name>" for every secret found in `data`. */
export function leaksIn(where: string, data: Uint8Array | string, secrets: Secret[]): string[] {
  const haystack = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  return secrets.filter((s) => s.forms.some((f) => haystack.includes(f))).map((s) =>
    `${where}: ${s.name}`
  );
}

/** Every file below `dir`, recursively. */
export async function* filesBelow(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* filesBelow(path);
    else if (entry.isFile) yield path;
  }
}

/** The leaks in the files below `dir`; the path of every file read goes to `seen`. */
export async function leaksInFiles(
  dir: string,
  secrets: Secret[],
  seen: string[],
): Promise<string[]> {
  const found: string[] = [];
  for await (const path of filesBelow(dir)) {
    seen.push(path);
    found.push(...leaksIn(path, await Deno.readFile(path), secrets));
  }
  return found;
}

/** Every object of an S3 bucket, by key. */
export async function s3Objects(s3: S3Client, bucket: string): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      objects.set(Key!, await object.Body!.transformToByteArray());
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** Every blob of an Azure container, by name. */
export async function azureBlobs(
  service: BlobServiceClient,
  container: string,
): Promise<Map<string, Uint8Array>> {
  const client = service.getContainerClient(container);
  const blobs = new Map<string, Uint8Array>();
  for await (const blob of client.listBlobsFlat()) {
    blobs.set(blob.name, await client.getBlobClient(blob.name).downloadToBuffer());
  }
  return blobs;
}

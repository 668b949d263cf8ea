/**
 * Puts one object of random bytes with the library's cloud backend, for a test to kill
 * mid-upload: `deno run -A test/helpers/put_object.ts <json>` where json is
 * `{"kind": "s3" | "azure", "bucket": name, "endpoint": url, "key": key, "bytes": n}`
 * (Azure reads its connection string from the environment; "bucket" is the container).
 */
import { S3Backend } from "../../lib/storage/s3.ts";
import { AzureBlobBackend } from "../../lib/storage/azure.ts";

const MiB = 1024 * 1024;
const { kind, bucket, endpoint, key, bytes } = JSON.parse(Deno.args[0]);
const data = new Uint8Array(bytes);
for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
const backend = kind === "s3"
  ? new S3Backend({ bucket, endpoint, multipartThreshold: 5 * MiB, partSize: 5 * MiB })
  : new AzureBlobBackend({ container: bucket });
await backend.put(key, data);
console.log("stored");

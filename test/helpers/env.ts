/** Access to the services that test/run.sh started, failing loudly when they are absent. */

/** The value of an environment variable the test runner exports; throws when it is missing. */
export function requireEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) {
    throw new Error(
      `${name} is not set: run the tests through "bash test/run.sh", which starts the services`,
    );
  }
  return value;
}

/** Bootstrap address of the main test broker. */
export const kafkaBootstrap = (): string => requireEnv("KB_TEST_BOOTSTRAP");
/** Bootstrap address of the second, independent test broker. */
export const kafkaBootstrap2 = (): string => requireEnv("KB_TEST_BOOTSTRAP2");
/** Endpoint URL of the S3-compatible test server. */
export const s3Endpoint = (): string => requireEnv("KB_TEST_S3_ENDPOINT");
/** Connection string of the Azurite blob service. */
export const azureConnectionString = (): string => requireEnv("KB_TEST_AZURE_CONNECTION_STRING");

/** A name no other test uses: `<prefix>-<random hex>`, valid as topic, group, bucket or container. */
export function randomName(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

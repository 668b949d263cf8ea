/**
 * Prometheus's text format read by Python's prometheus_client parser (installed by
 * test/services/install.sh), an independent reader of what the tool exposes.
 */
import { requireEnv } from "./env.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
`;

/** Every sample of `text`; throws with the parser's complaint when it is not valid. */
export async function parsePrometheus(text: string): Promise<Sample[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", PARSE],
    env: { PYTHONPATH: requireEnv("KB_TEST_PROMPARSE_PATH") },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`not Prometheus text: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** The value of the sample `name` whose labels include `labels`, or undefined. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value;
}

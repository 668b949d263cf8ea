/**
 * Writes the JSON Schemas of both kinds of job file under schemas/ from the key table
 * (deno task schemas). test/unit/schema_test.ts fails while a committed one is out of date.
 */
import { schemaFile, schemaText } from "../lib/config/schema.ts";

for (const kind of ["backup", "restore"] as const) {
  const path = new URL(`../${schemaFile(kind)}`, import.meta.url);
  await Deno.mkdir(new URL(".", path), { recursive: true });
  await Deno.writeTextFile(path, schemaText(kind));
  console.log(`wrote ${schemaFile(kind)}`);
}

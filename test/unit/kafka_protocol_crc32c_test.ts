import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { crc32c } from "../../lib/kafka/protocol/crc32c.ts";

const require = createRequire(import.meta.url);
const kafkajsCrc = require("../../node_modules/kafkajs/src/protocol/recordBatch/crc32C/crc32C.js");

Deno.test("crc32c matches the standard check value and kafkajs's own implementation", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array()), 0);
  for (const length of [1, 7, 8, 9, 15, 16, 17, 31, 63, 64, 1000, 4099]) {
    const data = crypto.getRandomValues(new Uint8Array(length));
    assert.equal(crc32c(data), kafkajsCrc(data), `length ${length}`);
    // A view that starts at an odd byte of its buffer.
    const view = data.subarray(3);
    assert.equal(crc32c(view), kafkajsCrc(view), `length ${length} - 3, at offset 3`);
  }
});

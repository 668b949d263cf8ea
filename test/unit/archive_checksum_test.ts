import assert from "node:assert/strict";
import { formatSidecar, parseSidecar, sha256Hex } from "../../lib/archive/checksum.ts";
import { IntegrityError } from "../../lib/errors.ts";

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const NAME = "00000000000000000000-00000000000000000099.chunk";

Deno.test("sha256Hex gives the standard lowercase digest", () => {
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), ABC);
  assert.equal(
    sha256Hex(new Uint8Array(0)),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("a sidecar is one sha256sum line that parses back", () => {
  const line = formatSidecar(ABC, NAME);
  assert.equal(line, `${ABC}  ${NAME}\n`);
  assert.deepEqual(parseSidecar(line, "k"), { sha256: ABC, fileName: NAME });
});

Deno.test("parseSidecar accepts binary mode, no final newline and uppercase hex", () => {
  assert.deepEqual(parseSidecar(`${ABC.toUpperCase()} *${NAME}`, "k"), {
    sha256: ABC,
    fileName: NAME,
  });
});

Deno.test("parseSidecar rejects anything but one well-formed line, naming the key", () => {
  const bad = [
    "",
    ABC,
    `${ABC} ${NAME}\n`,
    `${ABC.slice(1)}  ${NAME}\n`,
    `${ABC}  ${NAME}\n${ABC}  other\n`,
    `${ABC}  dir/${NAME}\n`,
    `${"g".repeat(64)}  ${NAME}\n`,
    `${ABC}  ${NAME}\r\n`,
  ];
  for (const text of bad) {
    assert.throws(() => parseSidecar(text, "t/0/x.chunk.sha256"), (error: unknown) => {
      assert.ok(error instanceof IntegrityError);
      assert.match(error.message, /t\/0\/x\.chunk\.sha256/);
      return true;
    }, JSON.stringify(text));
  }
});

Deno.test("formatSidecar refuses a bad digest or a path instead of a file name", () => {
  assert.throws(() => formatSidecar(ABC.toUpperCase(), NAME), RangeError);
  assert.throws(() => formatSidecar(ABC, "a/b.chunk"), RangeError);
  assert.throws(() => formatSidecar(ABC, "a\nb"), RangeError);
});

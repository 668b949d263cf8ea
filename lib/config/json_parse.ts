/**
 * A strict JSON parser for job files. Unlike JSON.parse it reports line and column
 * on every engine version, and it rejects duplicate keys, which JSON.parse silently
 * resolves to the last one (a classic way to run with a setting you did not mean).
 */

/** A syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly column: number) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = "JsonSyntaxError";
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - (before.lastIndexOf("\n") + 1) + 1;
    throw new JsonSyntaxError(reason, line, column);
  }

  skipSpace(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  found(): string {
    const c = this.text[this.pos];
    return c === undefined ? "end of file" : JSON.stringify(c);
  }

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match) {
      this.pos += match[0].length;
      return Number(match[0]);
    }
    return this.fail(`expected a value, found ${this.found()}`);
  }

  object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    while (true) {
      this.skipSpace();
      const keyAt = this.pos;
      if (this.text[this.pos] !== '"') this.fail(`expected a quoted key, found ${this.found()}`);
      const key = this.string();
      if (Object.hasOwn(result, key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail(`expected ":" after a key, found ${this.found()}`);
      this.pos++;
      // defineProperty: a key named "__proto__" must stay a plain member.
      Object.defineProperty(result, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") return result;
      if (c !== ",") {
        this.fail(`expected "," or "}" after a value, found ${this.found()}`, this.pos - 1);
      }
    }
  }

  array(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return result;
    }
    while (true) {
      result.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") return result;
      if (c !== ",") {
        this.fail(`expected "," or "]" after a value, found ${this.found()}`, this.pos - 1);
      }
    }
  }

  string(): string {
    let out = "";
    this.pos++;
    while (true) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("unterminated string");
      if (c === '"') break;
      if (c < " ") this.fail("control character in a string (write \\n, \\t, ...)");
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.pos += 2;
      } else {
        this.fail("invalid escape in a string");
      }
    }
    this.pos++;
    return out;
  }
}

/** Parses `text` as one JSON value; throws JsonSyntaxError with line and column. */
export function parseJson(text: string): unknown {
  // A UTF-8 byte order mark is common in files saved by Windows editors.
  const parser = new Parser(text.startsWith("\uFEFF") ? text.slice(1) : text);
  const value = parser.value();
  parser.skipSpace();
  if (parser.pos < parser.text.length) {
    parser.fail(`unexpected ${parser.found()} after the JSON value`);
  }
  return value;
}

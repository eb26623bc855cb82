import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapse, newTokens, tokenize } from "./index.js";

function words(line: string): string[] {
  const t = tokenize(line, newTokens());
  return t.words.slice(0, t.count);
}

function typesOf(line: string): (string | undefined)[] {
  const t = tokenize(line, newTokens());
  return t.types.slice(0, t.count);
}

describe("tokenize: masking", () => {
  const cases: [string, string, string | undefined][] = [
    ["42", "<*>", "num"],
    ["-17", "<*>", "num"],
    ["10.250.19.102", "<*>", "ip"],
    ["/10.250.19.102:50010", "<*>", "path"],
    ["10.250.19.102:50010", "<*>", "ip"],
    ["0x7fff1234", "<*>", "hex"],
    ["deadbeef00", "<*>", "hex"],
    ["ffffffff", "<*>", "hex"],
    ["123e4567-e89b-12d3-a456-426614174000", "<*>", "uuid"],
    ["/var/log/app.log", "<*>", "path"],
    ["C:\\Windows\\x.dll", "C:<*>", "path"],
    ["hdfs://10.10.34.11:9000/pjhe/test", "hdfs://<*>", "url"],
    ["250ms", "<*>", "duration"],
    ["1h30m", "<*>", "duration"],
    ["512MiB", "<*>", "size"],
    ["api-7d9f8c6b5-x2k9p", "api-<*>", "k8s"],
    ["web-0", "web-<*>", "num"],
    ["blk_-38865049064139660", "<*>", "id"],
    ["blk_38865049064139660", "<*>", "id"],
    ["uid=0", "uid=<*>", "num"],
    ["(TID", "(TID", undefined],
    ["22)", "<*>)", "num"],
    ["[173.234.31.186]", "[<*>]", "ip"],
    ["core.12345", "core.<*>", "num"],
    ["ssh2", "ssh2", undefined],
    ["ipv6", "ipv6", undefined],
    ["connection", "connection", undefined],
    ["workerEnv.init()", "workerEnv.init()", undefined],
    ["my-proxy", "my-proxy", undefined],
  ];
  for (const [input, want, type] of cases) {
    it(`${input} -> ${want}`, () => {
      expect(words(input)).toEqual([want]);
      expect(typesOf(input)).toEqual([type]);
    });
  }

  it("masks weekday and month names next to numbers", () => {
    expect(words("at Fri Jul  1 07:57:30 2005")).toEqual(["at", "<*>", "<*>", "<*>", "<*>", "<*>"]);
    expect(words("May I help")).toEqual(["May", "I", "help"]);
  });

  it("splits on any whitespace and ignores leading and trailing runs", () => {
    expect(words(" \ta  b\r\n")).toEqual(["a", "b"]);
    expect(words("")).toEqual([]);
  });
});

describe("tokenize: properties", () => {
  const logChar = fc.constantFrom(..."abcXYZ019 ._-:=/\\()[]{}\"',;@#\t".split(""));
  const logLine = fc.oneof(fc.string(), fc.string({ unit: logChar, maxLength: 80 }));

  it("gives one masked word per whitespace-separated word", () => {
    fc.assert(
      fc.property(logLine, (line) => {
        const raw = line.split(/[ \t\r\n\v\f]+/).filter((w) => w !== "");
        const got = words(line);
        expect(got.length).toBe(raw.length);
        for (const w of got) expect(w).not.toMatch(/[ \t\r\n\v\f]/);
      }),
    );
  });

  it("leaves words without digits, slashes or long hex runs unchanged", () => {
    const plain = fc.string({
      unit: fc.constantFrom(..."ghijklmnopqrstuvwxyzGHIJ._-:=()[]".split("")),
      minLength: 1,
    });
    fc.assert(
      fc.property(plain, (w) => {
        expect(words(w)).toEqual([w]);
      }),
    );
  });

  it("is idempotent: masking a masked line changes nothing", () => {
    fc.assert(
      fc.property(logLine, (line) => {
        const once = words(line);
        expect(words(once.join(" "))).toEqual(once);
      }),
    );
  });

  it("never leaves a digit-only run unmasked", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (ns) => {
        for (const w of words(ns.join(" "))) expect(w).toBe("<*>");
      }),
    );
  });

  it("collapse reaches a fixed point with no adjacent placeholders left", () => {
    const piece = fc.constantFrom("<*>", ".", ":", "a", "-", "<*>");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (ps) => {
        const c = collapse(ps.join(""));
        expect(collapse(c)).toBe(c);
        expect(c).not.toMatch(/<\*>[.:]?<\*>/);
      }),
    );
  });
});

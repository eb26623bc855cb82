import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSeriesCsv, parseTimestamp } from "./csv.js";

describe("parseSeriesCsv", () => {
  const cases: {
    name: string;
    text: string;
    want: { kind: "ok"; n: number } | { kind: "error"; line: number };
  }[] = [
    { name: "crane style", text: "ts,value\n1628640000,39.72\n1628640060,39.82", want: { kind: "ok", n: 2 } },
    {
      name: "nab style, CRLF",
      text: "timestamp,value\r\n2014-04-10 00:04:00,94.0\r\n",
      want: { kind: "ok", n: 1 },
    },
    { name: "quoted fields", text: 'ts,value\n"1","2.5"\n', want: { kind: "ok", n: 1 } },
    { name: "empty", text: "", want: { kind: "error", line: 1 } },
    { name: "bad header", text: "a,b\n1,2\n", want: { kind: "error", line: 1 } },
    { name: "NaN value", text: "ts,value\n1,2\n2,NaN\n", want: { kind: "error", line: 3 } },
    { name: "Infinity value", text: "ts,value\n1,Infinity\n", want: { kind: "error", line: 2 } },
    { name: "bad timestamp", text: "ts,value\nyesterday,1\n", want: { kind: "error", line: 2 } },
    { name: "missing field", text: "ts,value\n1\n", want: { kind: "error", line: 2 } },
    { name: "header only", text: "ts,value\n", want: { kind: "error", line: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseSeriesCsv(c.text);
      expect(r.kind).toBe(c.want.kind);
      if (r.kind === "ok" && c.want.kind === "ok") expect(r.samples).toHaveLength(c.want.n);
      if (r.kind === "error" && c.want.kind === "error") expect(r.line).toBe(c.want.line);
    });
  }

  it("reads NAB timestamps as UTC", () => {
    expect(parseTimestamp("2014-04-10 00:04:00")).toBe(Date.UTC(2014, 3, 10, 0, 4, 0) / 1000);
  });

  it("round-trips any finite series (property)", () => {
    const row = fc.record({
      t: fc.integer({ min: 0, max: 4e9 }),
      v: fc.double({ noNaN: true, noDefaultInfinity: true }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 50 }), fc.boolean(), (rows, crlf) => {
        const nl = crlf ? "\r\n" : "\n";
        const text = ["ts,value", ...rows.map((r) => `${r.t},${r.v}`)].join(nl);
        const r = parseSeriesCsv(text);
        expect(r.kind).toBe("ok");
        if (r.kind === "ok") expect(r.samples).toEqual(rows.map((x) => ({ t: x.t, v: x.v === 0 ? 0 : x.v })));
      }),
    );
  });

  it("never throws on arbitrary text (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseSeriesCsv(`ts,value\n${s}`);
        expect(["ok", "error"]).toContain(r.kind);
      }),
    );
  });
});

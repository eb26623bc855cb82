import { existsSync, readFileSync } from "node:fs";
import { SHARED_DATA } from "../../test/data.js";
import { describe, expect, it } from "vitest";
import {
  alignWithNull,
  correctTemplateGeneral,
  createMiner,
  csvColumns,
  parseCsv,
  score,
  splitLines,
} from "./index.js";

describe("CSV and lines", () => {
  it("parses RFC 4180 quoting", () => {
    expect(parseCsv('a,"b,c","d ""q"""\r\n1,,"x\ny"\n')).toEqual([
      ["a", "b,c", 'd "q"'],
      ["1", "", "x\ny"],
    ]);
  });
  it("splits CRLF and a missing final newline alike", () => {
    expect(splitLines("a\r\nb")).toEqual(["a", "b"]);
    expect(splitLines("a\nb\n")).toEqual(["a", "b"]);
  });
});

describe("template normalisation (Loghub-2.0 evaluator)", () => {
  it.each([
    ["<*>.<*>.<*>:<*> Served", "<*> Served"],
    ["a <*> <*> b", "a <*> b"],
    ["(<*>)", "(<*>)"],
  ])("%s", (t, want) => {
    expect(correctTemplateGeneral(t)).toBe(want);
  });
  it("drops placeholders that match nothing", () => {
    expect(alignWithNull("rhost=<*> user=<*>", "rhost= user=root")).toBe("rhost= user=<*>");
  });
});

describe("score", () => {
  it("GA counts lines of groups that match a truth group exactly", () => {
    const truth = ["A", "A", "B", "B", "C"];
    const tpl = ["a <*>", "a <*>", "b", "b", "c"];
    const a = score(truth, tpl, [1, 1, 2, 3, 4], ["a <*>", "a <*>", "b", "b", "c"]);
    expect(a.ga).toBeCloseTo(3 / 5);
    expect(a.pa).toBe(1);
    // parsed groups: {1}:ok {2}:no {3}:no {4}:ok -> P=2/4, R=2/3
    expect(a.fga).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3));
    // FTA groups by template string: "a <*>" ok, "b" ok, "c" ok
    expect(a.fta).toBe(1);
  });
});

const DATA = SHARED_DATA;
describe.skipIf(!existsSync(`${DATA}/loghub/HDFS`))("Loghub 2k (quick)", () => {
  for (const [name, minGa, minPa] of [
    ["HDFS", 0.95, 0.9],
    ["OpenSSH", 0.95, 0.85],
  ] as const) {
    it(`${name}: GA on original labels and PA on Loghub-2.0 labels`, () => {
      const base = `${DATA}/loghub/${name}/${name}_2k.log`;
      const raw = splitLines(readFileSync(base, "utf8"));
      const cols = csvColumns(readFileSync(`${base}_structured.csv`, "utf8"));
      const content = cols.get("Content") ?? [];
      const messages = raw.map((l, i) => {
        const c = (content[i] ?? "").trimEnd();
        return l.trimEnd().endsWith(c) ? c : (content[i] ?? "");
      });
      const m = createMiner();
      const groups = messages.map((x) => m.root(m.add(x)?.id ?? 0)?.id ?? 0).map((id) => m.root(id)?.id ?? 0);
      const tpl = groups.map((g, i) =>
        alignWithNull(m.template(m.root(g) ?? m.groups()[0]!), messages[i] ?? ""),
      );
      const orig = (cols.get("EventTemplate") ?? []).map((t, i) =>
        correctTemplateGeneral(alignWithNull(t, content[i] ?? "")),
      );
      expect(score(cols.get("EventId") ?? [], orig, groups, tpl).ga).toBeGreaterThanOrEqual(minGa);
      const corrected = csvColumns(
        readFileSync(`${DATA}/loghub-2.0-2k/${name}/${name}_2k.log_structured_corrected.csv`, "utf8"),
      ).get("EventTemplate");
      const ct = (corrected ?? []).map((t, i) => correctTemplateGeneral(alignWithNull(t, content[i] ?? "")));
      expect(score(ct, ct, groups, tpl).pa).toBeGreaterThanOrEqual(minPa);
    });
  }
});

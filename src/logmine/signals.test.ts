import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createLogAnalyzer } from "./index.js";

function analyze(baseline: readonly string[], current: readonly string[], source = "api") {
  const an = createLogAnalyzer();
  for (const l of baseline) an.push(l, source);
  an.markCurrent();
  for (const l of current) an.push(l, source);
  return an.report();
}

const ok = (i: number) => `INFO GET /items/${i} 200 ${i % 40}ms`;

describe("log signals", () => {
  it("flags a template new for the workload and builds the signature", () => {
    const base = Array.from({ length: 100 }, (_, i) => ok(i));
    const cur = [
      ...Array.from(
        { length: 97 },
        (_, i) => `ERROR dial tcp 10.0.0.${i % 5}:5432: connect: connection refused`,
      ),
      ...Array.from({ length: 3 }, (_, i) => ok(i)),
    ];
    const r = analyze(base, cur);
    expect(r.newTemplates.map((t) => t.template)).toEqual(["dial tcp <*>: connect: connection refused"]);
    expect(r.signature.summary).toBe(
      '97% of the current lines match "dial tcp <*>: connect: connection refused" (new)',
    );
    expect(r.signature.entries[0]?.examples.length).toBeGreaterThan(0);
  });

  it("a template known for one workload is new for another", () => {
    const an = createLogAnalyzer();
    an.push("ERROR disk full on /var", "a");
    an.markCurrent();
    an.push("ERROR disk full on /var", "b");
    expect(an.report().newTemplates.length).toBe(1);
  });

  it("flags a surge against the baseline rate", () => {
    const warn = (i: number) => `WARN slow request ${i}ms`;
    const base = Array.from({ length: 200 }, (_, i) => (i % 50 === 0 ? warn(i) : ok(i)));
    const cur = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? warn(i) : ok(i)));
    const r = analyze(base, cur);
    expect(r.surging.map((t) => t.template)).toEqual(["slow request <*>"]);
    expect(r.surging[0]?.surge).toBeCloseTo(12.5, 1);
    expect(r.newTemplates).toEqual([]);
  });

  it("without a baseline lists error templates, a stack trace counting once", () => {
    const an = createLogAnalyzer();
    for (const l of [
      "ERROR boom 1",
      "java.lang.RuntimeException: x",
      "\tat a.B.c(B.java:1)",
      "INFO fine",
      "ERROR boom 2",
    ])
      an.push(l);
    const r = an.report();
    expect(r.events).toBe(3);
    expect(r.errors.map((t) => [t.template, t.count])).toEqual([["boom <*>", 2]]);
    expect(r.signature.entries[0]?.reason).toBe("error");
  });

  it("golden: a mixed application log", async () => {
    const text = readFileSync(new URL("./testdata/app.log", import.meta.url), "utf8");
    const an = createLogAnalyzer();
    const lines = text.split("\n");
    lines.forEach((l, i) => {
      if (i === 40) an.markCurrent();
      an.push(l, "deployment/api");
    });
    const r = an.report();
    const out = [
      ...r.templates.map(
        (t) =>
          `${t.count}\t${t.severity}\t${t.isNew ? "new" : t.surge !== undefined ? "surge" : "-"}\t${t.typed}`,
      ),
      `signature: ${r.signature.summary}`,
    ].join("\n");
    await expect(out + "\n").toMatchFileSnapshot("./testdata/app.golden.txt");
  });
});

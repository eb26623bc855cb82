import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { checkFacts, EvalFile } from "./evals.js";

const file = new URL("../../docs/evals/questions.yaml", import.meta.url);

describe("docs/evals/questions.yaml", () => {
  const data = EvalFile.parse(parse(readFileSync(file, "utf8")));

  it("has at least 20 cases with unique ids and namespaces, and valid regular expressions", () => {
    expect(data.cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(data.cases.map((c) => c.id)).size).toBe(data.cases.length);
    expect(new Set(data.cases.map((c) => c.namespace)).size).toBe(data.cases.length);
    for (const c of data.cases)
      for (const alts of c.facts) for (const a of alts) expect(() => new RegExp(a, "i")).not.toThrow();
  });

  it("checks facts: all must match, any alternative is enough", () => {
    const facts = [["CrashLoopBackOff", "crash ?loop"], ["exit code 3"]];
    expect(checkFacts("checkout is in a crash loop, exit code 3", facts)).toEqual({
      passed: true,
      missing: [],
    });
    expect(checkFacts("checkout is in a crash loop", facts)).toEqual({
      passed: false,
      missing: ["exit code 3"],
    });
  });
});

// Golden scenarios: each testdata/*.scenario.yaml is a recorded (hand-written) cluster state; its report is
// pinned in the .golden.json next to it. Regenerate with `npx vitest run --project unit -u` and review the diff.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  analyze,
  buildReport,
  groupByKind,
  HealthConfig,
  ingest,
  type KindKey,
  type Snapshot,
} from "./index.js";

const dir = new URL("./testdata/", import.meta.url);

interface Scenario {
  readonly description: string;
  readonly now: string;
  readonly namespaces?: string[];
  readonly skipped?: { kind: KindKey; reason: string }[];
  readonly config?: Record<string, unknown>;
  readonly objects: unknown[];
  /** Codes that must appear, and codes that must not (the regression cases say what they guard). */
  readonly expect?: { readonly codes?: string[]; readonly absent?: string[] };
}

export function loadScenario(file: string): { sc: Scenario; snap: Snapshot; cfg: HealthConfig } {
  const sc = parse(readFileSync(new URL(file, dir), "utf8"), { merge: true }) as Scenario;
  const { lists, unknownKinds } = groupByKind(sc.objects);
  expect(unknownKinds, `${file}: unknown kinds`).toEqual([]);
  const { snapshot, dropped } = ingest(lists, { namespaces: sc.namespaces, skipped: sc.skipped ?? [] });
  expect(dropped, `${file}: objects that did not parse`).toEqual([]);
  return { sc, snap: snapshot, cfg: HealthConfig.parse(sc.config ?? {}) };
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".scenario.yaml"))
  .sort();

describe("analyze: golden scenarios", () => {
  it("has scenarios", () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const file of files) {
    it(file, async () => {
      const { sc, snap, cfg } = loadScenario(file);
      const now = new Date(sc.now);
      const findings = analyze(now, snap, cfg);
      const codes = findings.map((f) => f.code);
      for (const c of sc.expect?.codes ?? []) expect(codes, `${file}: expected ${c}`).toContain(c);
      for (const c of sc.expect?.absent ?? [])
        expect(codes, `${file}: must not report ${c}`).not.toContain(c);
      // Stable ids, one finding per id.
      expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
      // The same input gives the same output (pure, deterministic).
      expect(analyze(now, snap, cfg)).toEqual(findings);
      const report = buildReport(now, snap, findings);
      await expect(JSON.stringify(report, undefined, 2) + "\n").toMatchFileSnapshot(
        `./testdata/${file.replace(".scenario.yaml", ".golden.json")}`,
      );
    });
  }
});

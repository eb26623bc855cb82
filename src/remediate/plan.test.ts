// Golden plans: each testdata/*.scenario.yaml is a cluster state (raw objects, as the API serves them), a
// HealingPolicy and an action history; its plan is pinned in the .golden.json next to it. Regenerate with
// `npx vitest run --project unit -u` and review the diff: a changed patch is a changed behaviour.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HealingPolicySpec } from "../api/index.js";
import { analyze, defaultHealthConfig, groupByKind, ingest } from "../health/index.js";
import { refKey } from "../model/index.js";
import { LimitRange, plan, type HistoryEntry, type PlanInput } from "./index.js";

const dir = new URL("./testdata/", import.meta.url);

interface Scenario {
  readonly description: string;
  readonly now: string;
  readonly policy?: Record<string, unknown>;
  readonly history?: HistoryEntry[];
  readonly objects: Record<string, unknown>[];
  readonly expect?: { readonly actions?: string[] };
}

/** A scenario's plan input: the snapshot the analyzers see, its findings, and the raw objects by ref. */
export function loadScenario(file: string): { sc: Scenario; now: Date; input: PlanInput } {
  const sc = parse(readFileSync(new URL(file, dir), "utf8"), { merge: true }) as Scenario;
  const limitRanges = sc.objects.filter((o) => o["kind"] === "LimitRange").map((o) => LimitRange.parse(o));
  const { lists, unknownKinds } = groupByKind(sc.objects.filter((o) => o["kind"] !== "LimitRange"));
  expect(unknownKinds, `${file}: unknown kinds`).toEqual([]);
  const { snapshot, dropped } = ingest(lists);
  expect(dropped, `${file}: objects that did not parse`).toEqual([]);
  const now = new Date(sc.now);
  const raw = new Map<string, unknown>();
  for (const o of sc.objects) {
    const m = o["metadata"] as { name: string; namespace?: string };
    raw.set(`${String(o["kind"])}/${m.namespace ?? ""}/${m.name}`, o);
  }
  return {
    sc,
    now,
    input: {
      findings: analyze(now, snapshot, { ...defaultHealthConfig, hygiene: false }),
      snapshot,
      policy: HealingPolicySpec.parse(sc.policy ?? {}),
      history: sc.history ?? [],
      raw: (r) => raw.get(`${r.kind}/${r.namespace}/${r.name}`),
      limitRanges,
    },
  };
}

export const scenarioFiles = readdirSync(dir)
  .filter((f) => f.endsWith(".scenario.yaml"))
  .sort();

describe("plan: golden scenarios", () => {
  it("has scenarios", () => {
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(6);
  });
  for (const file of scenarioFiles) {
    it(file, async () => {
      const { sc, now, input } = loadScenario(file);
      const p = plan(now, input);
      if (sc.expect?.actions !== undefined) expect(p.actions.map((a) => a.kind)).toEqual(sc.expect.actions);
      // Deterministic, unique ids, JSON round trip (the executor journals plans).
      expect(plan(now, input)).toEqual(p);
      expect(new Set(p.actions.map((a) => a.id)).size).toBe(p.actions.length);
      expect(JSON.parse(JSON.stringify(p))).toEqual(JSON.parse(JSON.stringify(p)));
      for (const a of p.actions) expect(a.reason.message).not.toContain("\n");
      const golden = {
        description: sc.description,
        findings: input.findings.map((f) => `${f.id}: ${f.fix.action.kind}`),
        plan: p,
      };
      await expect(JSON.stringify(golden, undefined, 2) + "\n").toMatchFileSnapshot(
        `./testdata/${file.replace(".scenario.yaml", ".golden.json")}`,
      );
    });
  }
});

describe("plan: targets", () => {
  it("names every patched object by ref and path", () => {
    for (const file of scenarioFiles) {
      const { now, input } = loadScenario(file);
      for (const a of plan(now, input).actions)
        for (const p of a.patches)
          expect(p.path.endsWith(`/${p.target.name}`) || p.type === "eviction", refKey(p.target)).toBe(true);
    }
  });
});

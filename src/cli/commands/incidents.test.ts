import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { incidentsFromFile, renderList } from "./incidents.js";

const rec = (name: string) =>
  fileURLToPath(new URL(`../../incident/testdata/${name}.recording.json`, import.meta.url));

describe("vigil incidents --from", () => {
  it("correlates a recording offline with stable ids", () => {
    const a = incidentsFromFile(rec("bad-rollout"));
    const b = incidentsFromFile(rec("bad-rollout"));
    expect(a.map((i) => i.id)).toEqual(b.map((i) => i.id));
    expect(a[0]?.rootCauses[0]?.kind).toBe("rollout");
    expect(a[0]?.fixedBy).toMatch(/^rollback of Deployment bad-rollout\/checkout by Vigil$/);
  });

  it("is evaluated at --now: before the fault nothing, during it the incident is open", () => {
    const all = incidentsFromFile(rec("crashloop"));
    const first = all[0];
    expect(first).toBeDefined();
    if (first === undefined) return;
    const before = new Date(Date.parse(first.startedAt) - 1000).toISOString();
    expect(incidentsFromFile(rec("crashloop"), undefined, before)).toEqual([]);
    const during = new Date(Date.parse(first.startedAt) + 60_000).toISOString();
    const open = incidentsFromFile(rec("crashloop"), undefined, during);
    expect(open.map((i) => [i.id, i.status])).toEqual([[first.id, "open"]]);
  });

  it("prints a table with the root cause and what fixed it", () => {
    const list = incidentsFromFile(rec("oom"));
    const text = renderList(list, Date.parse(list[0]?.resolvedAt ?? ""));
    expect(text.split("\n")[0]).toMatch(
      /^ID\s+SEVERITY\s+STATUS\s+SUBJECT\s+ROOT CAUSE\s+STARTED\s+DURATION\s+SIGNALS\s+NOTES$/,
    );
    expect(text).toContain("Deployment/oom/worker");
    expect(text).toContain("OOMKilled");
  });

  it("rejects a file that is not a recording with one sentence", () => {
    expect(() => incidentsFromFile(fileURLToPath(new URL("../../../package.json", import.meta.url)))).toThrow(
      /not a signal recording/,
    );
  });
});

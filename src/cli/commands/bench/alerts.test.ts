// The alerting bench over the recorded sandbox streams: the published numbers, and the guarantee that every
// incident is notified exactly once plus its resolution. The other target (≥ 90 % fewer notifications
// than raw Warning events) is reported, not asserted: see docs/benchmarks.md for where it stands and why.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readRecordings, runAlertsBench } from "./alerts.js";

const PUBLISHED = {
  raw_warning_events: 165,
  notifications_sent: 17,
  incidents: 9,
  incidents_notified_once: 9,
};

const dir = fileURLToPath(new URL("../../../incident/testdata/", import.meta.url));

describe("vigil bench alerts", () => {
  const { report, results } = runAlertsBench(readRecordings(dir), 5);

  it("reports exactly the four keys of the issue", () => {
    expect(Object.keys(report)).toEqual([
      "raw_warning_events",
      "notifications_sent",
      "incidents",
      "incidents_notified_once",
    ]);
  });

  it("pins the published numbers (docs/benchmarks.md)", () => {
    expect(report).toEqual(PUBLISHED);
  });

  it("notifies every incident exactly once, plus its resolution, with nothing sent for merged-away incidents", () => {
    expect(report.incidents_notified_once).toBe(report.incidents);
    expect(results.flatMap((r) => r.orphans)).toEqual([]);
    const resolved = results.flatMap((r) => r.incidents).filter((i) => i.status === "resolved").length;
    expect(report.notifications_sent).toBe(report.incidents + resolved);
  });

  it("finds one incident per fault scenario", () => {
    expect(results.map((r) => [r.scenario, r.incidents.length])).toEqual(results.map((r) => [r.scenario, 1]));
  });
});

import { describe, expect, it } from "vitest";
import { stormActive, STORM_MEMORY_SECONDS } from "./nodes.js";

const now = new Date("2026-11-26T10:00:00Z");
const later = (s: number) => new Date(now.getTime() + s * 1000).toISOString();

describe("stormActive", () => {
  const cases: [string, number, string | undefined, { now: boolean; remembered: boolean }][] = [
    ["no storm, no memory", 1, undefined, { now: false, remembered: false }],
    ["more NotReady than allowed", 2, undefined, { now: true, remembered: false }],
    [
      "one node left down while the partition heals: remembered",
      1,
      later(300),
      { now: false, remembered: true },
    ],
    ["memory expired", 1, later(-1), { now: false, remembered: false }],
    ["a storm now is not 'remembered'", 3, later(300), { now: true, remembered: false }],
  ];
  for (const [name, notReady, until, want] of cases) {
    it(name, () => {
      expect(stormActive({ notReady, allowed: 1 }, now, until)).toEqual(want);
    });
  }
  it("remembers for ten minutes", () => {
    expect(STORM_MEMORY_SECONDS).toBe(600);
  });
});

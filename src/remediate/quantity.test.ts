import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionId, fnv1a64 } from "./ids.js";
import { MI, formatMemory, formatResource, parseQuantity } from "./quantity.js";

describe("quantities", () => {
  it("parses Kubernetes suffixes", () => {
    expect(parseQuantity("64Mi")).toBe(64 * MI);
    expect(parseQuantity("250m")).toBe(0.25);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("lots")).toBeUndefined();
  });

  it("formatMemory rounds up to whole Mi and parses back to at least the input (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (b) => {
        const back = parseQuantity(formatMemory(b))!;
        expect(back).toBeGreaterThanOrEqual(b);
        expect(back - b).toBeLessThan(MI);
      }),
    );
    expect(formatResource("cpu", 1.5)).toBe("1500m");
  });
});

describe("action ids", () => {
  it("are deterministic, short and label-safe (property)", () => {
    fc.assert(
      fc.property(fc.string(), (k) => {
        expect(fnv1a64(k)).toBe(fnv1a64(k));
        expect(actionId("raiseMemory", k)).toMatch(/^raisememory-[0-9a-f]{16}$/);
      }),
    );
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
  });
});

// Table-driven tests of the helpers and of ingest's slimming; fast-check properties for the parsers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffTemplates, ingest } from "./index.js";
import { PodTemplate } from "./snapshot.js";
import { imageUnpinned, parseQuantity, selectorMatches } from "./util.js";

describe("parseQuantity", () => {
  it.each([
    ["64Mi", 64 * 2 ** 20],
    ["1Gi", 2 ** 30],
    ["250m", 0.25],
    ["2", 2],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["10k", 10_000],
    ["7.5Gi", 7.5 * 2 ** 30],
    ["", undefined],
    ["abc", undefined],
    ["5Xi", undefined],
  ])("%s → %s", (q, want) => {
    expect(parseQuantity(q)).toBe(want);
  });
  it("Mi round-trips for any integer", () => {
    fc.assert(fc.property(fc.nat(1_000_000), (n) => parseQuantity(`${n}Mi`) === n * 2 ** 20));
  });
});

describe("selectorMatches", () => {
  const labels = { app: "api", tier: "back" };
  it.each([
    [{ matchLabels: {}, matchExpressions: [] }, true],
    [{ matchLabels: { app: "api" }, matchExpressions: [] }, true],
    [{ matchLabels: { app: "web" }, matchExpressions: [] }, false],
    [{ matchLabels: {}, matchExpressions: [{ key: "tier", operator: "In", values: ["back", "x"] }] }, true],
    [{ matchLabels: {}, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["back"] }] }, false],
    [{ matchLabels: {}, matchExpressions: [{ key: "zone", operator: "DoesNotExist", values: [] }] }, true],
    [{ matchLabels: {}, matchExpressions: [{ key: "zone", operator: "Exists", values: [] }] }, false],
    [{ matchLabels: {}, matchExpressions: [{ key: "app", operator: "Bogus", values: [] }] }, false],
  ])("%j → %s", (sel, want) => {
    expect(selectorMatches(sel, labels)).toBe(want);
  });
});

describe("imageUnpinned", () => {
  it.each([
    ["nginx", true],
    ["nginx:latest", true],
    ["registry:5000/team/app", true],
    ["registry:5000/team/app:1.2", false],
    ["nginx:1.27", false],
    ["nginx@sha256:abc", false],
  ])("%s → %s", (image, want) => {
    expect(imageUnpinned(image)).toBe(want);
  });
});

describe("diffTemplates", () => {
  const t = (image: string, extra: Record<string, unknown> = {}) =>
    PodTemplate.parse({
      metadata: { labels: { app: "a", "pod-template-hash": image } },
      spec: { containers: [{ name: "app", image, ...extra }] },
    });
  it("names changed fields and ignores pod-template-hash", () => {
    expect(diffTemplates(t("a:1"), t("a:2", { resources: { limits: { memory: "1Gi" } } }))).toEqual([
      { path: "containers[app].image", before: "a:1", after: "a:2" },
      { path: "containers[app].resources.limits", before: undefined, after: '{"memory":"1Gi"}' },
    ]);
  });
  it("is empty for equal templates", () => {
    expect(diffTemplates(t("a:1"), t("a:1"))).toEqual([]);
  });
});

describe("ingest", () => {
  it("slims objects: no managedFields, no last-applied annotation, no Secret or ConfigMap values", () => {
    const { snapshot, dropped } = ingest({
      secrets: [
        {
          metadata: { name: "db", namespace: "x", managedFields: [{ manager: "kubectl" }] },
          data: { password: "c2VjcmV0" },
        },
      ],
      configMaps: [{ metadata: { name: "c", namespace: "x" }, data: { k: "v".repeat(1000) } }],
      pods: [
        {
          metadata: {
            name: "p",
            namespace: "x",
            creationTimestamp: new Date("2026-11-26T10:00:00Z"),
            annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", keep: "1" },
          },
        },
      ],
    });
    expect(dropped).toEqual([]);
    expect(JSON.stringify(snapshot)).not.toContain("c2VjcmV0");
    expect(JSON.stringify(snapshot)).not.toContain("managedFields");
    expect(snapshot.secrets[0]).toMatchObject({ keys: ["password"] });
    expect(snapshot.configMaps[0]).toMatchObject({ keys: ["k"] });
    expect(snapshot.pods[0]?.metadata.annotations).toEqual({ keep: "1" });
    expect(snapshot.pods[0]?.metadata.creationTimestamp).toBe("2026-11-26T10:00:00.000Z");
  });
  it("treats null as absent (core/v1 Events carry eventTime: null)", () => {
    const { snapshot, dropped } = ingest({
      events: [
        {
          metadata: { name: "e", namespace: "x" },
          eventTime: null,
          reason: "Unhealthy",
          lastTimestamp: new Date("2026-11-26T10:00:00Z"),
          involvedObject: { kind: "Pod", name: "p", namespace: "x" },
        },
      ],
    });
    expect(dropped).toEqual([]);
    expect(snapshot.events[0]).toMatchObject({ reason: "Unhealthy", last: "2026-11-26T10:00:00.000Z" });
  });
  it("drops and counts objects that do not parse, never silently", () => {
    const { snapshot, dropped } = ingest({
      nodes: [{ metadata: { name: 3 } }, { metadata: { name: "ok" } }],
    });
    expect(snapshot.nodes).toHaveLength(1);
    expect(dropped).toHaveLength(1);
  });
});

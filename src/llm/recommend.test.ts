/**
 * The `get_recommendations` tool over the in-memory cluster: the same plan `vigil recommend` computes, one
 * row per workload with the exact patch, narrowing by name and kind, caps, and nothing written.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { RIGHTSIZE_OBJECTS } from "./testdata/rightsize.js";
import { fakeCluster } from "./testkit.js";
import { READ_ONLY_TOOLS, type ToolContext } from "./tools.js";

const tool = READ_ONLY_TOOLS.find((t) => t.name === "get_recommendations")!;

function context(objects: readonly KubernetesObject[] = RIGHTSIZE_OBJECTS) {
  const cluster = fakeCluster({ objects });
  const ctx: ToolContext = {
    cluster,
    findings: () => Promise.resolve([]),
    defaultNamespace: "shop",
    now: () => new Date("2026-11-26T10:00:00Z"),
    signal: new AbortController().signal,
  };
  return { ctx, cluster };
}

interface Out {
  workloads: {
    name: string;
    status: string;
    patch?: string;
    apply?: string;
    containers: { cpuRequest: string; memoryRequest: string; changed: boolean }[];
  }[];
  total: number;
  unchanged: number;
  truncated?: boolean;
  source: string;
}

describe("get_recommendations", () => {
  it("is a read-only tool with the narrowing arguments", () => {
    expect(tool.mutating).toBe(false);
    const props = Object.keys((tool.parameters as { properties: object }).properties);
    expect(props).toEqual(expect.arrayContaining(["namespace", "name", "kind", "labelSelector", "limit"]));
  });

  it("recommends smaller requests for an over-provisioned Deployment, with the exact patch, and writes nothing", async () => {
    const { ctx, cluster } = context();
    const out = (await tool.run({}, ctx)) as Out;
    expect(out.source).toBe("one metrics.k8s.io reading");
    expect(out.workloads).toHaveLength(1);
    const api = out.workloads[0]!;
    expect(api).toMatchObject({ name: "api", status: "resize" });
    expect(api.containers[0]!.changed).toBe(true);
    expect(api.containers[0]!.cpuRequest).toMatch(/^1 → \d+m$/);
    expect(api.containers[0]!.memoryRequest).toMatch(/^1Gi → \d+Mi$/);
    const patch = JSON.parse(api.patch ?? "{}") as {
      spec: { template: { spec: { containers: { name: string }[] } } };
    };
    expect(patch.spec.template.spec.containers[0]!.name).toBe("app");
    expect(api.apply).toContain("vigil recommend deployment/api -n shop --dry-run");
    // Reads only: lists, and the metrics API.
    expect(cluster.calls.every((c) => c.startsWith("list ") || c.startsWith("metrics "))).toBe(true);
  });

  it("narrows by name and kind, and says when the name matches nothing", async () => {
    const { ctx } = context();
    const one = (await tool.run({ name: "api", kind: "deployment" }, ctx)) as Out;
    expect(one.workloads.map((w) => w.name)).toEqual(["api"]);
    const none = (await tool.run({ kind: "statefulset" }, ctx)) as Out;
    expect(none.workloads).toHaveLength(0);
    await expect(tool.run({ name: "nope" }, ctx)).rejects.toThrow(
      /no Deployment, StatefulSet or DaemonSet named "nope"/,
    );
  });

  it("caps the rows and hints how to narrow; rejects a limit above the cap", async () => {
    const many = Array.from({ length: 3 }, (_, i) =>
      RIGHTSIZE_OBJECTS.map(
        (o) =>
          JSON.parse(
            JSON.stringify(o).replaceAll('"api', `"api${i}`).replaceAll("api-5c6b", `api${i}-5c6b`),
          ) as KubernetesObject,
      ),
    ).flat();
    const { ctx } = context(many);
    const out = (await tool.run({ limit: 2 }, ctx)) as Out;
    expect(out.workloads).toHaveLength(2);
    expect(out.total).toBe(3);
    expect(out.truncated).toBe(true);
    await expect(tool.run({ limit: 1000 }, ctx)).rejects.toThrow(/invalid|Too big|<=/i);
  });

  it("without usage samples it recommends no change", async () => {
    const { ctx } = context(RIGHTSIZE_OBJECTS.filter((o) => o.kind !== "PodMetrics"));
    const out = (await tool.run({ includeUnchanged: true }, ctx)) as Out;
    expect(out.workloads[0]).toMatchObject({ name: "api", status: "noData" });
    expect(out.workloads[0]?.patch).toBeUndefined();
  });
});

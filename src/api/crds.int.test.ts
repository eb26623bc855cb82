// Integration: the generated CRDs are accepted by a real apiserver as structural, and their defaults and
// CEL rules are enforced server-side.
import { ApiextensionsV1Api, CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandbox, type TestSandbox } from "../../test/harness.js";
import { applyObjects } from "../kube/index.js";
import { CRDS, crdManifest } from "./index.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startSandbox("crd", 1);
});
afterAll(async () => {
  await sb.down();
});

describe("vigil.dev CRDs on a real apiserver", () => {
  it("are Established with no NonStructuralSchema condition", async () => {
    await applyObjects(
      sb.kc,
      CRDS.map((d) => crdManifest(d) as KubernetesObject),
      { force: true },
    );
    const ext = sb.kc.makeApiClient(ApiextensionsV1Api);
    for (const def of CRDS) {
      const crd = await eventually(`${def.plural} Established`, 30_000, async () => {
        const c = await ext.readCustomResourceDefinition({ name: `${def.plural}.vigil.dev` });
        return c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") === true
          ? c
          : undefined;
      });
      expect(crd.status?.conditions?.some((x) => x.type === "NonStructuralSchema")).toBe(false);
    }
  });

  it("applies server-side defaults and the CEL rule", async () => {
    const api = sb.kc.makeApiClient(CustomObjectsApi);
    // Right after Established the apiserver may still serve the CRD without its schema for a moment.
    const created = await eventually("a defaulted HealingPolicy", 30_000, async () => {
      const o = (await api.createNamespacedCustomObject({
        group: "vigil.dev",
        version: "v1alpha1",
        namespace: "default",
        plural: "healingpolicies",
        dryRun: "All",
        body: { apiVersion: "vigil.dev/v1alpha1", kind: "HealingPolicy", metadata: { name: "p" }, spec: {} },
      })) as { spec: { mode?: string; cooldownSeconds?: number } };
      return o.spec.mode !== undefined ? o : undefined;
    });
    await api.createNamespacedCustomObject({
      group: "vigil.dev",
      version: "v1alpha1",
      namespace: "default",
      plural: "healingpolicies",
      body: { apiVersion: "vigil.dev/v1alpha1", kind: "HealingPolicy", metadata: { name: "p" }, spec: {} },
    });
    expect(created.spec.mode).toBe("DryRun");
    expect(created.spec.cooldownSeconds).toBe(300);
    await expect(
      api.createNamespacedCustomObject({
        group: "vigil.dev",
        version: "v1alpha1",
        namespace: "default",
        plural: "healingpolicies",
        body: {
          apiVersion: "vigil.dev/v1alpha1",
          kind: "HealingPolicy",
          metadata: { name: "bad" },
          spec: { mode: "Auto", maxActionsPerHour: 0 },
        },
      }),
    ).rejects.toThrow(/Auto mode needs maxActionsPerHour/);
    const out = await sb.kubectl("get", "healingpolicies", "-n", "default");
    expect(out).toContain("DryRun");
  });
});

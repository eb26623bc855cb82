import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { missingConfig, type ConfigIndex } from "./configrefs.js";

const idx: ConfigIndex = {
  configMaps: new Map([["app-config", new Set(["LEVEL"])]]),
  secrets: new Map([["db", new Set(["password"])]]),
};

function pod(container: NonNullable<V1Pod["spec"]>["containers"][number]): V1Pod {
  return { metadata: { name: "p", namespace: "shop" }, spec: { containers: [container] } };
}

describe("missingConfig", () => {
  const cases: [string, V1Pod, string | undefined][] = [
    ["no references", pod({ name: "c" }), undefined],
    [
      "present envFrom configmap",
      pod({ name: "c", envFrom: [{ configMapRef: { name: "app-config" } }] }),
      undefined,
    ],
    [
      "missing envFrom configmap",
      pod({ name: "c", envFrom: [{ configMapRef: { name: "nope" } }] }),
      'configmap "nope" not found',
    ],
    [
      "optional missing configmap",
      pod({ name: "c", envFrom: [{ configMapRef: { name: "nope", optional: true } }] }),
      undefined,
    ],
    [
      "missing envFrom secret",
      pod({ name: "c", envFrom: [{ secretRef: { name: "s" } }] }),
      'secret "s" not found',
    ],
    [
      "missing key",
      pod({
        name: "c",
        env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "app-config", key: "OTHER" } } }],
      }),
      "couldn't find key OTHER in ConfigMap shop/app-config",
    ],
    [
      "present secret key",
      pod({ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }] }),
      undefined,
    ],
    [
      "missing secret",
      pod({ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "api", key: "token" } } }] }),
      'secret "api" not found',
    ],
  ];
  for (const [name, p, want] of cases) {
    it(name, () => {
      expect(missingConfig(p, idx)).toBe(want);
    });
  }
});

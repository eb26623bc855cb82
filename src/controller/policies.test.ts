import { describe, expect, it } from "vitest";
import { toNamedPolicy } from "./policies.js";

describe("toNamedPolicy", () => {
  it.each([
    {
      name: "valid: defaults filled in",
      obj: { metadata: { namespace: "shop", name: "heal" }, spec: { mode: "Auto" } },
      want: { namespace: "shop", name: "heal", mode: "Auto", cooldown: 300 },
    },
    {
      name: "no spec: all defaults (DryRun)",
      obj: { metadata: { namespace: "shop", name: "empty" } },
      want: { namespace: "shop", name: "empty", mode: "DryRun", cooldown: 300 },
    },
  ])("$name", ({ obj, want }) => {
    const r = toNamedPolicy(obj);
    expect("policy" in r).toBe(true);
    if (!("policy" in r)) return;
    expect({
      namespace: r.policy.namespace,
      name: r.policy.name,
      mode: r.policy.spec.mode,
      cooldown: r.policy.spec.cooldownSeconds,
    }).toEqual(want);
  });

  it.each([
    { name: "unknown mode", spec: { mode: "Yolo" }, error: /mode/ },
    { name: "negative cooldown", spec: { cooldownSeconds: -5 }, error: /cooldownSeconds/ },
  ])("invalid: $name is left out with the reason", ({ spec, error }) => {
    const r = toNamedPolicy({ metadata: { namespace: "shop", name: "typo" }, spec });
    expect("error" in r).toBe(true);
    if ("error" in r) {
      expect(r.name).toBe("shop/typo");
      expect(r.error).toMatch(error);
    }
  });
});

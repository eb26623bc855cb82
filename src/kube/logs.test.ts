import { describe, expect, it } from "vitest";
import { parseLogTarget, podLogUrl } from "./logs.js";

describe("parseLogTarget", () => {
  it.each([
    ["pod/api-1", { kind: "pod", name: "api-1" }],
    ["po/api-1", { kind: "pod", name: "api-1" }],
    ["pods/a.b", { kind: "pod", name: "a.b" }],
    ["deployment/api", { kind: "deployment", name: "api" }],
    ["deploy/api", { kind: "deployment", name: "api" }],
    ["deployments/api", { kind: "deployment", name: "api" }],
  ])("%s", (s, want) => {
    expect(parseLogTarget(s)).toEqual(want);
  });
  it.each(["api", "svc/api", "pod/", "pod/API", "pod/a/b", "deployment/-a"])("%s is not a target", (s) => {
    expect(parseLogTarget(s)).toBeUndefined();
  });
});

describe("podLogUrl", () => {
  const s = { pod: "api-1", container: "app" };
  it("always carries limitBytes, and only the options given", () => {
    const u = podLogUrl("https://127.0.0.1:6443", {
      namespace: "shop",
      stream: s,
      previous: false,
      follow: false,
      maxBytes: 10,
      limitBytes: 4096,
    });
    expect(u.pathname).toBe("/api/v1/namespaces/shop/pods/api-1/log");
    expect(Object.fromEntries(u.searchParams)).toEqual({ container: "app", limitBytes: "4096" });
  });
  it("passes previous, follow, since and tail; keeps a server path prefix", () => {
    const u = podLogUrl("https://h:443/k8s/", {
      namespace: "shop",
      stream: s,
      previous: true,
      follow: true,
      sinceSeconds: 3600,
      tailLines: 0,
      maxBytes: 10,
      limitBytes: 1.7,
    });
    expect(u.pathname).toBe("/k8s/api/v1/namespaces/shop/pods/api-1/log");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      container: "app",
      limitBytes: "1",
      previous: "true",
      follow: "true",
      sinceSeconds: "3600",
      tailLines: "0",
    });
  });
});

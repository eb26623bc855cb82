import { describe, expect, it } from "vitest";
import { IncidentSpec, IncidentStatus } from "../api/index.js";
import { Signal, correlate, defaultIncidentConfig, fromResource, toResource } from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const dep = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };

describe("Incident resources", () => {
  const inc = correlate(
    new Date(T0 + 300_000),
    [
      {
        kind: "finding",
        at: at(0),
        state: "firing",
        id: "Pod/OOMKilled/Deployment/shop/api",
        code: "OOMKilled",
        severity: "high",
        object: dep,
        reason: "OOMKilled at 64Mi",
        fix: "raise the limit",
      },
      { kind: "action", at: at(30), action: "setResources", target: dep, result: "succeeded" },
      {
        kind: "finding",
        at: at(60),
        state: "resolved",
        id: "Pod/OOMKilled/Deployment/shop/api",
        code: "OOMKilled",
        severity: "high",
        object: dep,
        reason: "OOMKilled at 64Mi",
      },
    ].map((s) => Signal.parse(s)),
    () => undefined,
    defaultIncidentConfig,
  )[0];

  it("writes a valid vigil.dev/v1alpha1 Incident and reads it back", () => {
    expect(inc).toBeDefined();
    if (inc === undefined) return;
    const res = toResource(inc, "vigil-system");
    expect(IncidentSpec.safeParse(res.spec).success).toBe(true);
    expect(IncidentStatus.safeParse(res.status).success).toBe(true);
    expect(res.status.phase).toBe("Resolved");
    expect(res.status.mttrSeconds).toBe(60);
    const back = fromResource({ ...res, metadata: { ...res.metadata, creationTimestamp: at(0) } });
    expect(back.kind).toBe("ok");
    if (back.kind !== "ok") return;
    expect(back.incident).toMatchObject({
      id: inc.id,
      fingerprint: inc.fingerprint,
      severity: "high",
      status: "resolved",
      subject: dep,
      startedAt: inc.startedAt,
      resolvedAt: inc.resolvedAt,
      summary: inc.summary,
    });
    expect(back.incident.timeline.map((e) => e.text)).toEqual(inc.timeline.map((e) => e.text));
  });

  it("reads the healer's records: the cause code from the finding id, the actions and what fixed it", () => {
    const r = fromResource({
      apiVersion: "vigil.dev/v1alpha1",
      kind: "Incident",
      metadata: { name: "api-1a2b3c-s0x1", namespace: "vigil-system" },
      spec: {
        target: dep,
        findingId: "Pod/CrashLoopBackOff/Deployment/shop/api",
        reason: "crash loop",
        severity: "high",
      },
      status: {
        phase: "Resolved",
        detectedAt: at(0),
        resolvedAt: at(90),
        timeline: [{ time: at(0), kind: "Detected", message: "CrashLoopBackOff: crash loop" }],
        actions: [
          {
            id: "a1",
            kind: "rollback",
            findingId: "Pod/CrashLoopBackOff/Deployment/shop/api",
            target: dep,
            scope: dep,
            mode: "Auto",
            at: at(10),
            outcome: "verified",
          },
        ],
      },
    });
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(r.incident.rootCauses[0]?.code).toBe("CrashLoopBackOff");
    expect(r.incident.actionsTaken.map((a) => `${a.action}:${a.result}`)).toEqual(["rollback:verified"]);
    expect(r.incident.fixedBy).toBe("rollback of Deployment shop/api by Vigil");
  });

  it("reports an invalid resource as data", () => {
    const r = fromResource({ metadata: { name: "x" }, spec: { severity: "urgent" } });
    expect(r).toMatchObject({ kind: "invalid", name: "x" });
  });
});

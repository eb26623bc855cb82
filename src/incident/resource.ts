/**
 * Incidents as `vigil.dev/v1alpha1` Incident custom resources and back. The resource keeps the subject,
 * the top cause, the severity, the phase and the timeline; reading one back gives an incident with what the
 * resource holds (the operator writes the resources, `vigil incidents` reads them).
 */
import { z } from "zod";
import { IncidentSpec, IncidentStatus, type TimelineEntry as CrTimelineEntry } from "../api/index.js";
import type { ActionTaken, Incident, TimelineEntry, TimelineKind } from "./incident.js";

const CR_KIND: Readonly<Record<TimelineKind, CrTimelineEntry["kind"]>> = {
  context: "Note",
  event: "Detected",
  finding: "Detected",
  findingResolved: "Note",
  anomaly: "Detected",
  log: "Detected",
  action: "Acted",
  alert: "Detected",
  alertResolved: "Note",
  resolved: "Resolved",
};

/** The Incident resource for `namespace` (the subject's, or Vigil's own for cluster-scoped subjects). */
export function toResource(i: Incident, namespace: string) {
  const mttr =
    i.resolvedAt !== undefined
      ? Math.max(0, Math.round((Date.parse(i.resolvedAt) - Date.parse(i.startedAt)) / 1000))
      : undefined;
  return {
    apiVersion: "vigil.dev/v1alpha1",
    kind: "Incident",
    metadata: {
      name: i.id,
      namespace,
      labels: { "vigil.dev/severity": i.severity },
      annotations: { "vigil.dev/summary": i.summary.slice(0, 4096), "vigil.dev/fingerprint": i.fingerprint },
    },
    spec: IncidentSpec.parse({
      target: {
        apiVersion: i.subject.apiVersion,
        kind: i.subject.kind,
        ...(i.subject.namespace !== "" ? { namespace: i.subject.namespace } : {}),
        name: i.subject.name,
      },
      findingId: (i.rootCauses[0]?.code ?? "Unknown").slice(0, 253),
      reason: i.title.slice(0, 1024),
      severity: i.severity,
    }),
    status: IncidentStatus.parse({
      phase: i.status === "resolved" ? "Resolved" : i.actionsTaken.length > 0 ? "Verifying" : "Open",
      detectedAt: i.startedAt,
      ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
      ...(mttr !== undefined ? { mttrSeconds: mttr } : {}),
      timeline: i.timeline.slice(0, 200).map((e) => ({
        time: e.at,
        kind: CR_KIND[e.kind],
        message: e.text.slice(0, 4096),
      })),
    }),
  };
}

const Resource = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().default(""),
    annotations: z.record(z.string(), z.string()).default({}),
    creationTimestamp: z.string().optional(),
  }),
  spec: IncidentSpec,
  status: IncidentStatus.default({}),
});

const FROM_CR: Readonly<Record<CrTimelineEntry["kind"], TimelineKind>> = {
  Detected: "event",
  Planned: "context",
  Acted: "action",
  Verified: "context",
  Undone: "action",
  Escalated: "event",
  Resolved: "resolved",
  Note: "context",
};

export type FromResource =
  | { readonly kind: "ok"; readonly incident: Incident }
  | { readonly kind: "invalid"; readonly name: string; readonly message: string };

/** An incident from an Incident resource; fields the resource does not hold are empty. */
export function fromResource(obj: unknown): FromResource {
  const r = Resource.safeParse(obj);
  if (!r.success) {
    const meta: unknown =
      typeof obj === "object" && obj !== null && "metadata" in obj ? obj.metadata : undefined;
    const raw: unknown = typeof meta === "object" && meta !== null && "name" in meta ? meta.name : undefined;
    const name = typeof raw === "string" ? raw : "";
    return { kind: "invalid", name, message: z.prettifyError(r.error) };
  }
  const { metadata: m, spec, status } = r.data;
  const subject = {
    apiVersion: spec.target.apiVersion,
    kind: spec.target.kind,
    namespace: spec.target.namespace ?? "",
    name: spec.target.name,
  };
  const timeline: TimelineEntry[] = (status.timeline ?? []).map((e) => ({
    at: e.time,
    kind: FROM_CR[e.kind],
    text: e.action !== undefined ? `${e.message} (${e.action})` : e.message,
    count: 1,
  }));
  const startedAt = status.detectedAt ?? m.creationTimestamp ?? "";
  // The healer names the finding (`<analyzer>/<code>/<kind>/<ns>/<name>`); correlation names the cause code.
  const code = spec.findingId.split("/")[1] ?? spec.findingId;
  const actionsTaken: ActionTaken[] = (status.actions ?? []).map((a) => ({
    at: a.at,
    action: a.kind,
    target: {
      apiVersion: a.target.apiVersion,
      kind: a.target.kind,
      namespace: a.target.namespace ?? "",
      name: a.target.name,
    },
    result: a.outcome,
    reason: `mode ${a.mode}`,
  }));
  const verified = actionsTaken.filter((a) => a.result === "verified").at(-1);
  const fingerprint =
    m.annotations["vigil.dev/fingerprint"] ??
    `${spec.findingId}@${subject.kind}/${subject.namespace}/${subject.name}`;
  return {
    kind: "ok",
    incident: {
      id: m.name,
      fingerprint,
      title: spec.reason,
      summary: m.annotations["vigil.dev/summary"] ?? spec.reason,
      severity: spec.severity,
      status: status.phase === "Resolved" ? "resolved" : "open",
      subject,
      startedAt,
      lastSignalAt: timeline.at(-1)?.at ?? startedAt,
      ...(status.resolvedAt !== undefined ? { resolvedAt: status.resolvedAt } : {}),
      rootCauses: [
        {
          kind: "finding",
          code,
          summary: spec.reason,
          confidence: 1,
          object: subject,
          evidence: [],
        },
      ],
      impact: { pods: 0, workloads: [], nodes: [], servicesWithoutEndpoints: [], warningEvents: 0 },
      timeline,
      timelineOmitted: 0,
      actionsTaken,
      ...(status.phase === "Resolved" && verified !== undefined
        ? {
            fixedBy: `${verified.action} of ${verified.target.kind} ${verified.target.namespace}/${verified.target.name} by Vigil`,
          }
        : {}),
      labels: {
        severity: spec.severity,
        kind: subject.kind,
        name: subject.name,
        cause: code,
        ...(subject.namespace !== ""
          ? { namespace: subject.namespace }
          : m.namespace !== ""
            ? { namespace: m.namespace }
            : {}),
      },
      signals: { events: 0, warningEvents: 0, findings: 0, anomalies: 0, logs: 0, actions: 0, alerts: 0 },
    },
  };
}

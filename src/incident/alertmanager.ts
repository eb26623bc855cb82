/**
 * Alertmanager's webhook payload (version 4) turned into alert signals, so that existing Prometheus alerts
 * join Vigil's incidents. The payload is untrusted input: it is checked against a bounded schema and an
 * invalid one is an outcome, never an exception. The alert's labels name the object it is about
 * (kube-state-metrics style: `namespace` with `pod`, `deployment`, `statefulset`, `daemonset`, `job_name`,
 * `service`; or `node`).
 */
import { z } from "zod";
import type { ObjectRef } from "../model/index.js";
import type { AlertSignal } from "./signal.js";

const Labels = z.record(z.string().max(256), z.string().max(4096)).default({});

const WebhookAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels,
  startsAt: z.string().max(64).default(""),
  endsAt: z.string().max(64).default(""),
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().max(128).optional(),
});

export const AlertmanagerWebhook = z.object({
  version: z.string().max(16).optional(),
  groupKey: z.string().max(4096).optional(),
  truncatedAlerts: z.int().min(0).optional(),
  status: z.enum(["firing", "resolved"]).optional(),
  receiver: z.string().max(256).optional(),
  groupLabels: Labels,
  commonLabels: Labels,
  commonAnnotations: Labels,
  externalURL: z.string().max(4096).optional(),
  alerts: z.array(WebhookAlert).max(10_000),
});
export type AlertmanagerWebhook = z.output<typeof AlertmanagerWebhook>;

export type ParsedWebhook =
  | { readonly kind: "ok"; readonly signals: readonly AlertSignal[]; readonly truncated: number }
  | { readonly kind: "invalid"; readonly message: string };

const OBJECT_LABELS: readonly (readonly [string, string, string])[] = [
  ["pod", "Pod", "v1"],
  ["deployment", "Deployment", "apps/v1"],
  ["statefulset", "StatefulSet", "apps/v1"],
  ["daemonset", "DaemonSet", "apps/v1"],
  ["job_name", "Job", "batch/v1"],
  ["service", "Service", "v1"],
];

/** The object an alert's labels name, most specific first; a node when only `node` is given. */
export function objectOfLabels(labels: Readonly<Record<string, string>>): ObjectRef | undefined {
  const ns = labels["namespace"] ?? "";
  if (ns !== "")
    for (const [label, kind, apiVersion] of OBJECT_LABELS) {
      const name = labels[label];
      if (name !== undefined && name !== "") return { apiVersion, kind, namespace: ns, name };
    }
  const node = labels["node"];
  if (node !== undefined && node !== "") return { apiVersion: "v1", kind: "Node", namespace: "", name: node };
  return undefined;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Alertmanager's fingerprint when it sent one, else a hash of the sorted labels. */
function fingerprintOf(labels: Readonly<Record<string, string>>, given: string | undefined): string {
  if (given !== undefined && given !== "") return given;
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k] ?? ""}`)
    .join("\u0001");
  return `v${fnv(text)}${fnv(`#${text}`)}`;
}

function validTime(s: string): number | undefined {
  if (s === "" || s.startsWith("0001-01-01")) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Parses a webhook body (already JSON-decoded). A firing alert's time is its `startsAt`, a resolved one's its
 * `endsAt`; both are clamped to `receivedAt` (a sender's clock may run ahead).
 */
export function parseAlertmanagerWebhook(body: unknown, receivedAt: Date): ParsedWebhook {
  const r = AlertmanagerWebhook.safeParse(body);
  if (!r.success) return { kind: "invalid", message: z.prettifyError(r.error).slice(0, 2000) };
  const now = receivedAt.getTime();
  const signals = r.data.alerts.map((a): AlertSignal => {
    const labels = { ...r.data.commonLabels, ...a.labels };
    const annotations = { ...r.data.commonAnnotations, ...a.annotations };
    const starts = Math.min(validTime(a.startsAt) ?? now, now);
    const ends = validTime(a.endsAt);
    const at = a.status === "resolved" ? Math.min(Math.max(ends ?? now, starts), now) : starts;
    const object = objectOfLabels(labels);
    const node = labels["node"];
    return {
      kind: "alert",
      at: new Date(at).toISOString(),
      status: a.status,
      name: labels["alertname"] ?? "",
      fingerprint: fingerprintOf(labels, a.fingerprint),
      labels,
      annotations,
      startsAt: new Date(starts).toISOString(),
      ...(ends !== undefined ? { endsAt: new Date(ends).toISOString() } : {}),
      ...(object !== undefined ? { object } : {}),
      ...(node !== undefined && node !== "" ? { node } : {}),
    };
  });
  return { kind: "ok", signals, truncated: r.data.truncatedAlerts ?? 0 };
}

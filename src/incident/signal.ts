/**
 * The signals correlation reads, as zod schemas: one schema gives the type, the check applied to recorded
 * files and webhook input, and the JSON shape of a recording. Times are RFC 3339 strings.
 *
 * - `event`: one observation of a Kubernetes Event (a watch ADDED or MODIFIED with a new count).
 * - `finding`: a health finding firing or resolved (what `vigil run`'s observer emits).
 * - `anomaly`: a metric anomaly score for an object (src/anomaly).
 * - `log`: a log signature of an object (src/logmine).
 * - `action`: something Vigil did (or would do in a dry run) to an object, with its result.
 * - `alert`: an Alertmanager alert, firing or resolved, from its webhook.
 */
import { z } from "zod";

const Time = z.string().min(1).max(64);
const Name = z.string().max(253);

export const Ref = z.object({
  apiVersion: z.string().max(253).default(""),
  kind: z.string().min(1).max(63),
  namespace: z.string().max(63).default(""),
  name: Name.min(1),
});

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export const SeverityName = z.enum(SEVERITIES);
export type SeverityName = z.output<typeof SeverityName>;

const Labels = z.record(z.string().max(256), z.string().max(4096));

export const EventSignal = z.object({
  kind: z.literal("event"),
  at: Time,
  object: Ref,
  type: z.enum(["Warning", "Normal"]),
  reason: z.string().max(256),
  message: z.string().max(4096).default(""),
  /** The Event object's count at this observation (series count for events.k8s.io). */
  count: z.int().min(1).max(1_000_000_000).default(1),
  /** The node the object runs on, when the recorder knew it. */
  node: Name.optional(),
  /** The Event object's uid: several observations of one Event share it. */
  uid: z.string().max(128).optional(),
});
export type EventSignal = z.output<typeof EventSignal>;

export const FindingSignal = z.object({
  kind: z.literal("finding"),
  at: Time,
  state: z.enum(["firing", "resolved"]),
  id: z.string().max(1024),
  code: z.string().max(128),
  severity: SeverityName,
  object: Ref,
  ownerChain: z.array(Ref).max(16).default([]),
  reason: z.string().max(4096),
  /** The fix for a person (`Finding.fix.summary`). */
  fix: z.string().max(4096).optional(),
  /** The remediation engine's action kind (`Finding.fix.action.kind`). */
  action: z.string().max(64).optional(),
  node: Name.optional(),
});
export type FindingSignal = z.output<typeof FindingSignal>;

export const AnomalySignal = z.object({
  kind: z.literal("anomaly"),
  at: Time,
  object: Ref,
  /** `cpu`, `memory`, `restarts`, `requests`, `errors` … */
  metric: z.string().max(128),
  score: z.number().min(0).max(1),
  value: z.number().optional(),
  node: Name.optional(),
});
export type AnomalySignal = z.output<typeof AnomalySignal>;

export const LogSignal = z.object({
  kind: z.literal("log"),
  at: Time,
  object: Ref,
  /** `LogSignature.summary`. */
  summary: z.string().max(4096),
  templates: z.array(z.string().max(1024)).max(16).default([]),
  node: Name.optional(),
});
export type LogSignal = z.output<typeof LogSignal>;

export const ACTION_RESULTS = ["succeeded", "failed", "dryRun", "planned", "refused"] as const;
export const ActionSignal = z.object({
  kind: z.literal("action"),
  at: Time,
  /** The action kind (`rollback`, `setResources`, `deletePod`, `cordonAndDrain` …). */
  action: z.string().max(64),
  target: Ref,
  result: z.enum(ACTION_RESULTS),
  reason: z.string().max(4096).default(""),
});
export type ActionSignal = z.output<typeof ActionSignal>;

export const AlertSignal = z.object({
  kind: z.literal("alert"),
  at: Time,
  status: z.enum(["firing", "resolved"]),
  /** `labels.alertname`. */
  name: z.string().max(256),
  fingerprint: z.string().max(128),
  labels: Labels,
  annotations: Labels,
  startsAt: Time,
  endsAt: Time.optional(),
  /** The object the labels name (pod, deployment, node …), when they name one. */
  object: Ref.optional(),
  node: Name.optional(),
});
export type AlertSignal = z.output<typeof AlertSignal>;

export const Signal = z.discriminatedUnion("kind", [
  EventSignal,
  FindingSignal,
  AnomalySignal,
  LogSignal,
  ActionSignal,
  AlertSignal,
]);
export type Signal = z.output<typeof Signal>;
export type SignalInput = z.input<typeof Signal>;

/** An owner edge: `object` is controlled by `owner` (Pod → ReplicaSet → Deployment). */
export const OwnerEdge = z.object({ object: Ref, owner: Ref });
export type OwnerEdge = z.output<typeof OwnerEdge>;

/** A recorded stream: what `vigil incidents --from` and `vigil bench alerts` replay. */
export const Recording = z.object({
  scenario: z.string().max(128).default(""),
  description: z.string().max(4096).default(""),
  startedAt: Time,
  endedAt: Time,
  owners: z.array(OwnerEdge).max(100_000).default([]),
  signals: z.array(Signal).max(1_000_000),
});
export type Recording = z.output<typeof Recording>;
export type RecordingInput = z.input<typeof Recording>;

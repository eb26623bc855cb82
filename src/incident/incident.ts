/**
 * The incident as correlation produces it: plain, readonly, JSON-serialisable. One incident is one problem on
 * one subject (a workload or a node), with its ranked root causes, impact, severity, a deduplicated timeline,
 * what Vigil did and recommends, and whether it was seen before.
 */
import type { ObjectRef } from "../model/index.js";
import type { SeverityName } from "./signal.js";

export type CauseKind = "node" | "rollout" | "finding" | "alert" | "log" | "anomaly" | "event";

export interface CauseEvidence {
  readonly at: string;
  readonly source: "event" | "finding" | "anomaly" | "log" | "action" | "alert";
  readonly message: string;
  readonly object?: ObjectRef | undefined;
}

export interface RootCause {
  readonly kind: CauseKind;
  /** Machine-stable: a finding code, an event reason, `NodeNotReady`, `Rollout`, an alert name. */
  readonly code: string;
  /** One line for a person. */
  readonly summary: string;
  /** In [0,1]: how strongly the evidence points at this cause; the list is sorted by it. */
  readonly confidence: number;
  readonly object: ObjectRef;
  readonly evidence: readonly CauseEvidence[];
}

export type TimelineKind =
  | "context"
  | "event"
  | "finding"
  | "findingResolved"
  | "anomaly"
  | "log"
  | "action"
  | "alert"
  | "alertResolved"
  | "resolved";

export interface TimelineEntry {
  readonly at: string;
  /** Last occurrence, when the entry stands for several. */
  readonly until?: string | undefined;
  readonly kind: TimelineKind;
  readonly text: string;
  readonly count: number;
}

export interface ActionTaken {
  readonly at: string;
  readonly action: string;
  readonly target: ObjectRef;
  readonly result: string;
  readonly reason: string;
}

export interface Impact {
  readonly pods: number;
  readonly workloads: readonly string[];
  readonly nodes: readonly string[];
  /** Services that had no ready endpoints. */
  readonly servicesWithoutEndpoints: readonly string[];
  readonly warningEvents: number;
}

export interface Recurrence {
  /** Earlier incidents with the same fingerprint. */
  readonly count: number;
  readonly lastId: string;
  readonly lastStartedAt: string;
  /** What fixed the last one, for a person; absent when nothing recorded a fix. */
  readonly lastFix?: string | undefined;
  readonly text: string;
}

export interface Incident {
  /** Stable: derived from the subject and the first problem's time (`inc-` + 10 hex). */
  readonly id: string;
  /** The kind of problem on this subject (`<cause code>@<subject>`): equal for recurrences. */
  readonly fingerprint: string;
  readonly title: string;
  readonly summary: string;
  readonly severity: SeverityName;
  readonly status: "open" | "resolved";
  readonly subject: ObjectRef;
  readonly startedAt: string;
  readonly lastSignalAt: string;
  readonly resolvedAt?: string | undefined;
  readonly rootCauses: readonly RootCause[];
  readonly impact: Impact;
  readonly timeline: readonly TimelineEntry[];
  readonly timelineOmitted: number;
  readonly actionsTaken: readonly ActionTaken[];
  /** What to do next, for a person, and the remediation engine's action kind. */
  readonly recommended?: { readonly summary: string; readonly action: string } | undefined;
  /** What resolved it: a Vigil action or a rollout after the problem began. */
  readonly fixedBy?: string | undefined;
  /** For routing and silences: namespace, severity, kind, name, cause, node, alertname … */
  readonly labels: Readonly<Record<string, string>>;
  readonly signals: {
    readonly events: number;
    readonly warningEvents: number;
    readonly findings: number;
    readonly anomalies: number;
    readonly logs: number;
    readonly actions: number;
    readonly alerts: number;
  };
  readonly recurrence?: Recurrence | undefined;
}

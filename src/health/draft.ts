/**
 * Drafts: findings before ids, caps and merging. Analyzers return drafts; `analyze` merges drafts with the
 * same root cause (same analyzer, code and object) and finishes them.
 */
import type { ObjectRef } from "../model/index.js";
import type { HealthConfig } from "./config.js";
import {
  findingId,
  severityRank,
  type AnalyzerName,
  type Evidence,
  type Finding,
  type Fix,
  type Severity,
  type TemplateChange,
} from "./finding.js";
import { earliest } from "./util.js";

export interface Draft {
  readonly analyzer: AnalyzerName;
  readonly code: string;
  severity: Severity;
  readonly object: ObjectRef;
  readonly ownerChain: readonly ObjectRef[];
  reason: string;
  readonly evidence: Evidence[];
  readonly fix: Fix;
  readonly docs: string;
  readonly changes?: readonly TemplateChange[];
  /**
   * A symptom (a workload's unavailable replicas, a failed Job) rather than a cause: when another draft on the
   * same object explains it, its evidence joins that draft and it is not reported on its own.
   */
  readonly symptom?: boolean;
  /** Where a symptom folds (default: its own object), e.g. a Service's missing endpoints into the pods' workload. */
  readonly foldInto?: readonly ObjectRef[];
  /** A finding that never explains a symptom on its object (a missing headless Service does not stop pods). */
  readonly standalone?: boolean;
  /** A symptom too young to report alone (still folded into a cause as evidence). */
  readonly quiet?: boolean;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** Merges drafts with the same id: evidence is concatenated, the highest severity and the first reason win. */
export function mergeDrafts(drafts: readonly Draft[]): Draft[] {
  const byId = new Map<string, Draft>();
  for (const d of drafts) {
    const id = findingId(d.analyzer, d.code, d.object);
    const prev = byId.get(id);
    if (prev === undefined) {
      byId.set(id, { ...d, evidence: [...d.evidence] });
      continue;
    }
    prev.severity = maxSeverity(prev.severity, d.severity);
    const seen = new Set(prev.evidence.map((e) => `${e.object.kind}/${e.object.name}/${e.message}`));
    for (const e of d.evidence) {
      if (!seen.has(`${e.object.kind}/${e.object.name}/${e.message}`)) prev.evidence.push(e);
    }
  }
  return [...byId.values()];
}

export function finish(d: Draft, cfg: HealthConfig): Finding {
  const kept = d.evidence.slice(0, cfg.maxEvidence);
  return {
    id: findingId(d.analyzer, d.code, d.object),
    analyzer: d.analyzer,
    code: d.code,
    severity: d.severity,
    object: d.object,
    ownerChain: d.ownerChain,
    reason: d.reason,
    evidence: kept,
    evidenceOmitted: d.evidence.length - kept.length,
    fix: d.fix,
    docs: d.docs,
    since: earliest(d.evidence.map((e) => e.at)),
    ...(d.changes !== undefined ? { changes: d.changes } : {}),
  };
}

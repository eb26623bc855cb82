/**
 * The report `vigil analyze -o json|yaml` prints (documented in docs/analyze.md): findings, score, scope and
 * what could not be read.
 */
import type { Finding, Severity } from "./finding.js";
import { healthScore, type HealthScore } from "./score.js";
import type { SkippedKind, Snapshot } from "./snapshot.js";

export interface HealthReport {
  readonly apiVersion: "vigil.dev/v1alpha1";
  readonly kind: "HealthReport";
  readonly generatedAt: string;
  readonly scope: {
    readonly namespaces: readonly string[] | "all";
    readonly labelSelector?: string | undefined;
  };
  readonly summary: { readonly findings: number } & Readonly<Record<Severity, number>>;
  readonly score: HealthScore;
  readonly findings: readonly Finding[];
  /** Kinds that could not be listed; their analyzers did not run. */
  readonly skipped: readonly SkippedKind[];
  readonly warnings: readonly string[];
}

export function buildReport(
  now: Date,
  snap: Snapshot,
  findings: readonly Finding[],
  extra: { readonly labelSelector?: string | undefined; readonly warnings?: readonly string[] } = {},
): HealthReport {
  const summary: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) summary[f.severity]++;
  return {
    apiVersion: "vigil.dev/v1alpha1",
    kind: "HealthReport",
    generatedAt: now.toISOString(),
    scope: {
      namespaces: snap.namespaces ?? "all",
      ...(extra.labelSelector !== undefined ? { labelSelector: extra.labelSelector } : {}),
    },
    summary: { findings: findings.length, ...summary },
    score: healthScore(findings, snap),
    findings,
    skipped: snap.skipped,
    warnings: extra.warnings ?? [],
  };
}

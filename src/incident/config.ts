/**
 * Correlation settings: one zod schema gives the type, the defaults and the check. Nothing here is tuned per
 * scenario; docs/incidents.md explains each number.
 */
import { z } from "zod";

const seconds = (max: number) => z.int().min(0).max(max);

export const IncidentConfig = z.object({
  /** A problem signal more than this after an open incident's last problem (and nothing firing) starts a new one. */
  quietSeconds: seconds(86_400).default(300),
  /** With findings or alerts in it, an incident resolves this long after the last one resolved, if no warning came since. */
  settleSeconds: seconds(86_400).default(60),
  /** Normal events and Vigil actions this long before an incident's first problem are its context (a rollout). */
  contextSeconds: seconds(86_400).default(900),
  /** A node problem takes over workload incidents on that node that started at most this long before it. */
  nodeLeadSeconds: seconds(3_600).default(180),
  /** Anomaly scores from this on are problems; lower ones are only kept as context. */
  anomalyThreshold: z.number().min(0).max(1).default(0.9),
  /** Timeline entries kept per incident (the earliest and the latest are kept, the middle is counted). */
  maxTimeline: z.int().min(4).max(200).default(40),
  /** Evidence items kept per root cause. */
  maxEvidence: z.int().min(1).max(50).default(5),
  /** Root causes kept per incident. */
  maxCauses: z.int().min(1).max(20).default(5),
  /**
   * Findings of these analyzers (the first segment of the finding id) are not incidents: hygiene findings fire
   * for as long as the spec stays as it is and would keep every incident of the workload open.
   */
  ignoreAnalyzers: z.array(z.string().max(64)).max(64).default(["ContainerHygiene"]),
  /** Context signals kept per workload before an incident opens (bounded memory). */
  maxContext: z.int().min(1).max(1_000).default(50),
});
export type IncidentConfig = z.output<typeof IncidentConfig>;
export type IncidentConfigInput = z.input<typeof IncidentConfig>;

export const defaultIncidentConfig: IncidentConfig = IncidentConfig.parse({});

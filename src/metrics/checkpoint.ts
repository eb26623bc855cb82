/**
 * @module
 * A workload's history as a ConfigMap (`vigil-history-<kind>-<name>` in the workload's namespace), so an
 * operator restart keeps what it learned. The object is built and parsed here (pure); `recorder.ts`
 * writes it with server-side apply. Size is bounded by the ring tiers: under 40 kB.
 */
import { z } from "zod";
import type { SeriesCheckpoint } from "./ring.js";

export interface WorkloadRef {
  readonly namespace: string;
  /** Deployment or StatefulSet (apps/v1). */
  readonly kind: string;
  readonly name: string;
}

export function workloadKey(w: WorkloadRef): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

export const CHECKPOINT_LABEL = "vigil.dev/history";
const DATA_KEY = "series.json";

/** A DNS-1123 name for the ConfigMap (truncated; the full target is in the labels' annotation). */
export function checkpointName(w: WorkloadRef): string {
  return `vigil-history-${w.kind.toLowerCase()}-${w.name}`.slice(0, 253).replace(/[-.]+$/, "");
}

const TierCheckpoint = z.object({
  stepSeconds: z.number().int().positive(),
  lastBucket: z.number().int().min(-1),
  values: z.string().max(200_000),
});
const SeriesCheckpointSchema = z.object({ version: z.literal(1), tiers: z.array(TierCheckpoint).max(8) });

export function checkpointObject(
  w: WorkloadRef,
  metric: string,
  cp: SeriesCheckpoint,
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: checkpointName(w),
      namespace: w.namespace,
      labels: { [CHECKPOINT_LABEL]: "true", "app.kubernetes.io/managed-by": "vigil" },
      annotations: { "vigil.dev/target": `${w.kind}/${w.name}`, "vigil.dev/metric": metric },
    },
    data: { [DATA_KEY]: JSON.stringify(cp) },
  };
}

export type ParsedCheckpoint =
  | { readonly kind: "ok"; readonly checkpoint: SeriesCheckpoint; readonly metric: string }
  | { readonly kind: "invalid"; readonly message: string };

export function parseCheckpoint(cm: unknown): ParsedCheckpoint {
  const obj = z
    .object({
      metadata: z.object({ annotations: z.record(z.string(), z.string()).optional() }).optional(),
      data: z.record(z.string(), z.string()).optional(),
    })
    .safeParse(cm);
  if (!obj.success) return { kind: "invalid", message: "not a ConfigMap" };
  const text = obj.data.data?.[DATA_KEY];
  if (text === undefined) return { kind: "invalid", message: `no ${DATA_KEY} key` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "invalid", message: `${DATA_KEY} is not JSON` };
  }
  const cp = SeriesCheckpointSchema.safeParse(json);
  if (!cp.success) return { kind: "invalid", message: z.prettifyError(cp.error) };
  return {
    kind: "ok",
    checkpoint: cp.data,
    metric: obj.data.metadata?.annotations?.["vigil.dev/metric"] ?? "cpu",
  };
}

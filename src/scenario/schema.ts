/**
 * The scenario format: a sample workload, the fault to inject (a list of steps), what "recovered" means and
 * what Vigil is expected to do. One zod schema gives the type and the check; `docs/scenarios.md` documents
 * it for users. Pure: the caller parses the YAML and hands the object in.
 */
import { z } from "zod";

/** A duration: `30s`, `2m`, `500ms` or a number of seconds. */
export const Duration = z.union([
  z.number().min(0).max(86_400),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m)$/, "a duration like 30s, 2m or 500ms")
    .transform((s) => {
      const n = Number.parseFloat(s);
      return s.endsWith("ms") ? n / 1000 : s.endsWith("m") ? n * 60 : n;
    }),
]);

/** Any Kubernetes object; the runner sets `metadata.namespace` to the scenario's namespace. */
const Manifest = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.looseObject({ name: z.string().min(1).max(253) }),
  })
  .loose();

/** Which nodes a node step touches. */
export const NodePick = z
  .object({
    /** Nodes by name. */
    names: z.array(z.string().min(1)).optional(),
    /** The nodes that run pods of this Deployment (most pods first). */
    podsOf: z.string().min(1).optional(),
    /** How many nodes to pick (from podsOf's nodes first, then others by name). */
    count: z.int().min(1).max(100).default(1),
  })
  .refine((p) => p.names !== undefined || p.podsOf !== undefined, "name nodes or give podsOf");
export type NodePick = z.output<typeof NodePick>;

const ObjectTarget = z.object({
  kind: z.enum(["Deployment", "StatefulSet", "DaemonSet", "Pod", "Service", "ConfigMap", "Secret"]),
  name: z.string().min(1).optional(),
  /** A label selector (`app=web`) instead of a name; pods only. */
  selector: z.string().min(1).optional(),
});

/** One action of a fault. */
export const BasicStep = z.union([
  z.object({ wait: Duration }).strict(),
  z.object({ apply: z.array(Manifest).min(1) }).strict(),
  z
    .object({
      patch: ObjectTarget.extend({
        type: z.enum(["strategic", "merge", "json"]).default("strategic"),
        body: z.unknown(),
      }),
    })
    .strict(),
  z
    .object({
      annotatePods: z.object({
        selector: z.string().min(1),
        annotations: z.record(z.string(), z.string().nullable()),
      }),
    })
    .strict(),
  z.object({ delete: ObjectTarget }).strict(),
  z
    .object({
      labelNodes: z.object({
        nodes: NodePick,
        labels: z.record(z.string(), z.string().nullable()),
      }),
    })
    .strict(),
  z.object({ scale: ObjectTarget.extend({ replicas: z.int().min(0).max(1000) }) }).strict(),
]);
export type BasicStep = z.output<typeof BasicStep>;

export const Step = z.union([
  BasicStep,
  z
    .object({
      /** Runs `steps` `times` times (a flapping node). */
      repeat: z.object({ times: z.int().min(1).max(20), steps: z.array(BasicStep).min(1) }),
    })
    .strict(),
]);
export type Step = z.output<typeof Step>;

export const Recovery = z.object({
  /** Deployments that must have every replica Ready, updated, on Ready nodes. Default: every Deployment. */
  deployments: z.array(z.string().min(1)).optional(),
  /** No pod of the namespace is Terminating. */
  noTerminatingPods: z.boolean().default(false),
  /** No Failed (e.g. Evicted) pod is left in the namespace. */
  noFailedPods: z.boolean().default(false),
  /** Every node the fault touched is Ready and schedulable again. */
  nodesReady: z.boolean().default(false),
  /** Observe at least this long after the fault before concluding (a dead node shows after ~20 s). */
  minObserveSeconds: Duration.default(30),
  /** Give up after this long with Vigil running. */
  timeoutSeconds: Duration.default(180),
  /** Give up after this long with only Kubernetes (`--baseline`). */
  baselineTimeoutSeconds: Duration.default(150),
});

export const Expect = z.object({
  /** Most actions Vigil may take (0 for a storm it must sit out). */
  maxActions: z.int().min(0).max(1000).optional(),
  /** Action kinds Vigil should use (informational; a different kind is reported, not failed). */
  actions: z.array(z.string().min(1)).default([]),
  /** Deployments Vigil must not act on (e.g. the dependents of a failed dependency). */
  untouched: z.array(z.string().min(1)).default([]),
  /** The fault is not one Vigil should fix: it should escalate (recovery is not expected). */
  escalate: z.boolean().default(false),
});

export const Scenario = z.object({
  apiVersion: z.literal("vigil.dev/v1alpha1"),
  kind: z.literal("Scenario"),
  metadata: z.object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, "a DNS label of at most 42 characters"),
    description: z.string().default(""),
  }),
  spec: z.object({
    /** Nodes the sandbox needs. */
    nodes: z.int().min(1).max(20).default(3),
    /** Objects deployed into a fresh namespace before the fault. */
    workload: z.array(Manifest).min(1),
    /** How long the workload may take to become healthy. */
    healthyTimeoutSeconds: Duration.default(90),
    /** The fault: steps run in order, right after the workload is healthy. */
    fault: z.array(Step).min(1),
    /** Steps run after the fault, in the background of the recovery wait (e.g. nodes come back). */
    after: z.array(Step).default([]),
    recovery: Recovery.default({
      minObserveSeconds: 30,
      noTerminatingPods: false,
      noFailedPods: false,
      nodesReady: false,
      timeoutSeconds: 180,
      baselineTimeoutSeconds: 150,
    }),
    expect: Expect.default({ actions: [], untouched: [], escalate: false }),
  }),
});
export type Scenario = z.output<typeof Scenario>;

export type ParseResult = { kind: "ok"; scenario: Scenario } | { kind: "invalid"; message: string };

/** Checks a parsed YAML document; the message lists every problem with its path. */
export function parseScenario(doc: unknown): ParseResult {
  const r = Scenario.safeParse(doc);
  if (!r.success) return { kind: "invalid", message: z.prettifyError(r.error) };
  for (const s of flatSteps([...r.data.spec.fault, ...r.data.spec.after])) {
    if ("patch" in s && s.patch.name === undefined)
      return { kind: "invalid", message: "a patch step needs patch.name" };
    if ("scale" in s && s.scale.name === undefined)
      return { kind: "invalid", message: "a scale step needs scale.name" };
    if ("delete" in s && s.delete.name === undefined && s.delete.selector === undefined)
      return { kind: "invalid", message: "a delete step needs a name or a selector" };
  }
  return { kind: "ok", scenario: r.data };
}

/** The steps with `repeat` expanded, in the order they run. */
export function flatSteps(steps: readonly Step[]): BasicStep[] {
  const out: BasicStep[] = [];
  for (const s of steps) {
    if ("repeat" in s) {
      for (let i = 0; i < s.repeat.times; i++) out.push(...s.repeat.steps);
    } else out.push(s);
  }
  return out;
}

/**
 * The slim snapshot the analyzers read: plain JSON views of the objects and events they need. Each view is a
 * zod schema that parses a full Kubernetes object (as the API returns it, or as a YAML fixture spells it) and
 * keeps only the fields below, so ingest drops managedFields, last-applied annotations, Secret values and
 * everything else no analyzer reads. Timestamps become RFC 3339 strings (client-node hands out `Date`s).
 */
import { z } from "zod";

const Time = z
  .union([z.string(), z.date()])
  .transform((d) => (typeof d === "string" ? d : d.toISOString()))
  .optional();
const Str = z.string().optional();
const Num = z.number().optional();
const Bool = z.boolean().optional();
const StrMap = z.record(z.string(), z.string()).default({});
const IntOrString = z.union([z.number(), z.string()]).optional();
const Quantities = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({});

/** Annotations no analyzer reads and that can be large. */
const DROPPED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

export const OwnerReference = z.object({
  kind: z.string(),
  name: z.string(),
  uid: z.string().default(""),
  controller: Bool,
});
export type OwnerReference = z.output<typeof OwnerReference>;

export const Meta = z.object({
  name: z.string(),
  namespace: z.string().default(""),
  uid: z.string().default(""),
  generation: Num,
  labels: StrMap,
  annotations: StrMap.transform((a) =>
    Object.fromEntries(Object.entries(a).filter(([k]) => !DROPPED_ANNOTATIONS.includes(k))),
  ),
  creationTimestamp: Time,
  deletionTimestamp: Time,
  deletionGracePeriodSeconds: Num,
  ownerReferences: z.array(OwnerReference).default([]),
});
export type Meta = z.output<typeof Meta>;

export const LabelSelector = z.object({
  matchLabels: StrMap,
  matchExpressions: z
    .array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).default([]) }))
    .default([]),
});
export type LabelSelector = z.output<typeof LabelSelector>;

export const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: Str,
  message: Str,
  lastTransitionTime: Time,
  lastUpdateTime: Time,
  lastHeartbeatTime: Time,
});
export type Condition = z.output<typeof Condition>;

const Probe = z.object({
  initialDelaySeconds: Num,
  periodSeconds: Num,
  failureThreshold: Num,
  timeoutSeconds: Num,
  httpGet: z.object({ path: Str, port: IntOrString }).optional(),
  tcpSocket: z.object({ port: IntOrString }).optional(),
  exec: z.object({ command: z.array(z.string()).default([]) }).optional(),
  grpc: z.object({ port: z.number() }).optional(),
});
export type Probe = z.output<typeof Probe>;

const SecurityContext = z.object({
  privileged: Bool,
  runAsNonRoot: Bool,
  runAsUser: Num,
  allowPrivilegeEscalation: Bool,
});

const KeyRef = z.object({ name: z.string().default(""), key: z.string(), optional: Bool });
const EnvVar = z.object({
  name: z.string(),
  value: Str,
  valueFrom: z
    .object({ configMapKeyRef: KeyRef.optional(), secretKeyRef: KeyRef.optional() })
    .optional()
    .catch(undefined),
});
const EnvFrom = z.object({
  configMapRef: z.object({ name: z.string().default(""), optional: Bool }).optional(),
  secretRef: z.object({ name: z.string().default(""), optional: Bool }).optional(),
});

export const Container = z.object({
  name: z.string(),
  image: z.string().default(""),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVar).default([]),
  envFrom: z.array(EnvFrom).default([]),
  resources: z.object({ requests: Quantities, limits: Quantities }).default({ requests: {}, limits: {} }),
  livenessProbe: Probe.optional(),
  readinessProbe: Probe.optional(),
  startupProbe: Probe.optional(),
  securityContext: SecurityContext.optional(),
  ports: z.array(z.object({ containerPort: z.number(), name: Str })).default([]),
});
export type Container = z.output<typeof Container>;

const Volume = z.object({
  name: z.string(),
  configMap: z.object({ name: z.string().default(""), optional: Bool }).optional(),
  secret: z.object({ secretName: z.string().default(""), optional: Bool }).optional(),
  persistentVolumeClaim: z.object({ claimName: z.string() }).optional(),
  projected: z
    .object({
      sources: z
        .array(
          z.object({
            configMap: z.object({ name: z.string().default(""), optional: Bool }).optional(),
            secret: z.object({ name: z.string().default(""), optional: Bool }).optional(),
          }),
        )
        .default([]),
    })
    .optional(),
});

export const PodSpec = z.object({
  containers: z.array(Container).default([]),
  initContainers: z.array(Container).default([]),
  volumes: z.array(Volume).default([]),
  serviceAccountName: Str,
  nodeName: Str,
  nodeSelector: StrMap,
  restartPolicy: Str,
  securityContext: z.object({ runAsNonRoot: Bool, runAsUser: Num }).optional(),
  imagePullSecrets: z.array(z.object({ name: z.string().default("") })).default([]),
  terminationGracePeriodSeconds: Num,
  schedulingGates: z.array(z.object({ name: z.string() })).default([]),
});
export type PodSpec = z.output<typeof PodSpec>;

export const PodTemplate = z.object({
  metadata: z.object({ labels: StrMap, annotations: StrMap }).default({ labels: {}, annotations: {} }),
  spec: PodSpec.default(PodSpec.parse({})),
});
export type PodTemplate = z.output<typeof PodTemplate>;

const ContainerStateWaiting = z.object({ reason: Str, message: Str });
const ContainerStateTerminated = z.object({
  reason: Str,
  message: Str,
  exitCode: z.number().default(0),
  signal: Num,
  startedAt: Time,
  finishedAt: Time,
});
const ContainerState = z
  .object({
    waiting: ContainerStateWaiting.optional(),
    running: z.object({ startedAt: Time }).optional(),
    terminated: ContainerStateTerminated.optional(),
  })
  .default({});
export type ContainerState = z.output<typeof ContainerState>;

export const ContainerStatus = z.object({
  name: z.string(),
  image: z.string().default(""),
  ready: z.boolean().default(false),
  started: Bool,
  restartCount: z.number().default(0),
  state: ContainerState,
  lastState: ContainerState,
});
export type ContainerStatus = z.output<typeof ContainerStatus>;

export const Pod = z.object({
  metadata: Meta,
  spec: PodSpec.default(PodSpec.parse({})),
  status: z
    .object({
      phase: Str,
      reason: Str,
      message: Str,
      startTime: Time,
      conditions: z.array(Condition).default([]),
      containerStatuses: z.array(ContainerStatus).default([]),
      initContainerStatuses: z.array(ContainerStatus).default([]),
    })
    .default({ conditions: [], containerStatuses: [], initContainerStatuses: [] }),
});
export type Pod = z.output<typeof Pod>;

export const Deployment = z.object({
  metadata: Meta,
  spec: z.object({
    replicas: Num,
    selector: LabelSelector.default({ matchLabels: {}, matchExpressions: [] }),
    template: PodTemplate.default(PodTemplate.parse({})),
    progressDeadlineSeconds: Num,
    paused: Bool,
    strategy: z.object({ type: Str }).optional(),
  }),
  status: z
    .object({
      observedGeneration: Num,
      replicas: Num,
      updatedReplicas: Num,
      readyReplicas: Num,
      availableReplicas: Num,
      unavailableReplicas: Num,
      conditions: z.array(Condition).default([]),
    })
    .default({ conditions: [] }),
});
export type Deployment = z.output<typeof Deployment>;

export const ReplicaSet = z.object({
  metadata: Meta,
  spec: z.object({
    replicas: Num,
    selector: LabelSelector.default({ matchLabels: {}, matchExpressions: [] }),
    template: PodTemplate.default(PodTemplate.parse({})),
  }),
  status: z
    .object({
      replicas: Num,
      readyReplicas: Num,
      availableReplicas: Num,
      conditions: z.array(Condition).default([]),
    })
    .default({ conditions: [] }),
});
export type ReplicaSet = z.output<typeof ReplicaSet>;

export const StatefulSet = z.object({
  metadata: Meta,
  spec: z.object({
    replicas: Num,
    serviceName: Str,
    selector: LabelSelector.default({ matchLabels: {}, matchExpressions: [] }),
    template: PodTemplate.default(PodTemplate.parse({})),
    volumeClaimTemplates: z
      .array(
        z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ storageClassName: Str }) }),
      )
      .default([]),
  }),
  status: z
    .object({
      replicas: Num,
      readyReplicas: Num,
      availableReplicas: Num,
      currentRevision: Str,
      updateRevision: Str,
    })
    .default({}),
});
export type StatefulSet = z.output<typeof StatefulSet>;

export const DaemonSet = z.object({
  metadata: Meta,
  spec: z.object({
    selector: LabelSelector.default({ matchLabels: {}, matchExpressions: [] }),
    template: PodTemplate.default(PodTemplate.parse({})),
  }),
  status: z
    .object({
      desiredNumberScheduled: Num,
      currentNumberScheduled: Num,
      numberReady: Num,
      numberUnavailable: Num,
      numberMisscheduled: Num,
      updatedNumberScheduled: Num,
    })
    .default({}),
});
export type DaemonSet = z.output<typeof DaemonSet>;

export const Job = z.object({
  metadata: Meta,
  spec: z.object({
    completions: Num,
    parallelism: Num,
    backoffLimit: Num,
    activeDeadlineSeconds: Num,
    suspend: Bool,
    template: PodTemplate.default(PodTemplate.parse({})),
  }),
  status: z
    .object({
      active: Num,
      succeeded: Num,
      failed: Num,
      startTime: Time,
      completionTime: Time,
      conditions: z.array(Condition).default([]),
    })
    .default({ conditions: [] }),
});
export type Job = z.output<typeof Job>;

export const CronJob = z.object({
  metadata: Meta,
  spec: z.object({
    schedule: z.string().default(""),
    suspend: Bool,
    startingDeadlineSeconds: Num,
    jobTemplate: z
      .object({ spec: z.object({ template: PodTemplate.default(PodTemplate.parse({})) }) })
      .default({ spec: { template: PodTemplate.parse({}) } }),
  }),
  status: z
    .object({
      lastScheduleTime: Time,
      lastSuccessfulTime: Time,
      active: z.array(z.object({ name: z.string() })).default([]),
    })
    .default({ active: [] }),
});
export type CronJob = z.output<typeof CronJob>;

export const Service = z.object({
  metadata: Meta,
  spec: z
    .object({
      type: Str,
      selector: z.record(z.string(), z.string()).optional(),
      externalName: Str,
      clusterIP: Str,
      ports: z.array(z.object({ port: z.number(), targetPort: IntOrString, name: Str })).default([]),
    })
    .default({ ports: [] }),
});
export type Service = z.output<typeof Service>;

const IngressBackend = z.object({
  service: z.object({ name: z.string(), port: z.object({ number: Num, name: Str }).optional() }).optional(),
});
export const Ingress = z.object({
  metadata: Meta,
  spec: z
    .object({
      ingressClassName: Str,
      defaultBackend: IngressBackend.optional(),
      rules: z
        .array(
          z.object({
            host: Str,
            http: z
              .object({ paths: z.array(z.object({ path: Str, backend: IngressBackend })).default([]) })
              .optional(),
          }),
        )
        .default([]),
      tls: z.array(z.object({ secretName: Str, hosts: z.array(z.string()).default([]) })).default([]),
    })
    .default({ rules: [], tls: [] }),
});
export type Ingress = z.output<typeof Ingress>;

export const IngressClass = z.object({ metadata: Meta, spec: z.object({ controller: Str }).default({}) });
export type IngressClass = z.output<typeof IngressClass>;

export const PersistentVolumeClaim = z.object({
  metadata: Meta,
  spec: z
    .object({ storageClassName: Str, volumeName: Str, accessModes: z.array(z.string()).default([]) })
    .default({ accessModes: [] }),
  status: z.object({ phase: Str, conditions: z.array(Condition).default([]) }).default({ conditions: [] }),
});
export type PersistentVolumeClaim = z.output<typeof PersistentVolumeClaim>;

export const PersistentVolume = z.object({
  metadata: Meta,
  spec: z
    .object({
      storageClassName: Str,
      persistentVolumeReclaimPolicy: Str,
      claimRef: z.object({ namespace: Str, name: Str }).optional(),
    })
    .default({}),
  status: z.object({ phase: Str, reason: Str, message: Str }).default({}),
});
export type PersistentVolume = z.output<typeof PersistentVolume>;

export const StorageClass = z.object({ metadata: Meta, provisioner: z.string().default("") });
export type StorageClass = z.output<typeof StorageClass>;

export const Node = z.object({
  metadata: Meta,
  spec: z
    .object({
      unschedulable: Bool,
      taints: z.array(z.object({ key: z.string(), value: Str, effect: z.string() })).default([]),
    })
    .default({ taints: [] }),
  status: z
    .object({ conditions: z.array(Condition).default([]), allocatable: Quantities, capacity: Quantities })
    .default({ conditions: [], allocatable: {}, capacity: {} }),
});
export type Node = z.output<typeof Node>;

const MetricSpec = z.object({
  type: z.string(),
  resource: z.object({ name: z.string() }).optional(),
  containerResource: z.object({ name: z.string(), container: z.string() }).optional(),
});
export const HorizontalPodAutoscaler = z.object({
  metadata: Meta,
  spec: z.object({
    scaleTargetRef: z.object({ apiVersion: Str, kind: z.string(), name: z.string() }),
    minReplicas: Num,
    maxReplicas: z.number(),
    metrics: z.array(MetricSpec).default([]),
  }),
  status: z
    .object({
      currentReplicas: Num,
      desiredReplicas: Num,
      lastScaleTime: Time,
      conditions: z.array(Condition).default([]),
    })
    .default({ conditions: [] }),
});
export type HorizontalPodAutoscaler = z.output<typeof HorizontalPodAutoscaler>;

export const PodDisruptionBudget = z.object({
  metadata: Meta,
  spec: z
    .object({
      minAvailable: IntOrString,
      maxUnavailable: IntOrString,
      selector: LabelSelector.optional(),
    })
    .default({}),
  status: z
    .object({
      currentHealthy: Num,
      desiredHealthy: Num,
      disruptionsAllowed: Num,
      expectedPods: Num,
      conditions: z.array(Condition).default([]),
    })
    .default({ conditions: [] }),
});
export type PodDisruptionBudget = z.output<typeof PodDisruptionBudget>;

export const NetworkPolicy = z.object({
  metadata: Meta,
  spec: z
    .object({
      podSelector: LabelSelector.default({ matchLabels: {}, matchExpressions: [] }),
      policyTypes: z.array(z.string()).default([]),
      ingress: z.array(z.unknown()).optional(),
      egress: z.array(z.unknown()).optional(),
    })
    .default({ podSelector: { matchLabels: {}, matchExpressions: [] }, policyTypes: [] }),
});
export type NetworkPolicy = z.output<typeof NetworkPolicy>;

const Webhook = z.object({
  name: z.string(),
  failurePolicy: Str,
  clientConfig: z
    .object({
      url: Str,
      service: z.object({ namespace: z.string(), name: z.string(), port: Num }).optional(),
    })
    .default({}),
});
export const WebhookConfiguration = z.object({
  kind: z.enum(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]),
  metadata: Meta,
  webhooks: z.array(Webhook).default([]),
});
export type WebhookConfiguration = z.output<typeof WebhookConfiguration>;

/** A ConfigMap: its keys, never its values. */
export const ConfigMap = z
  .object({
    metadata: Meta,
    data: z.record(z.string(), z.unknown()).default({}),
    binaryData: z.record(z.string(), z.unknown()).default({}),
  })
  .transform((c) => ({ metadata: c.metadata, keys: [...Object.keys(c.data), ...Object.keys(c.binaryData)] }));
export type ConfigMap = z.output<typeof ConfigMap>;

/** A Secret: its type and keys, never its values. */
export const Secret = z
  .object({
    metadata: Meta,
    type: Str,
    data: z.record(z.string(), z.unknown()).default({}),
    stringData: z.record(z.string(), z.unknown()).default({}),
  })
  .transform((s) => ({
    metadata: s.metadata,
    type: s.type,
    keys: [...Object.keys(s.data), ...Object.keys(s.stringData)],
  }));
export type Secret = z.output<typeof Secret>;

export const ResourceQuota = z.object({
  metadata: Meta,
  status: z.object({ hard: Quantities, used: Quantities }).default({ hard: {}, used: {} }),
});
export type ResourceQuota = z.output<typeof ResourceQuota>;

/** A core/v1 Event, with its timestamps folded into first and last. */
export const Event = z
  .object({
    metadata: z.object({ name: z.string(), namespace: z.string().default("") }),
    type: Str,
    reason: Str,
    message: Str,
    count: Num,
    firstTimestamp: Time,
    lastTimestamp: Time,
    eventTime: Time,
    series: z.object({ count: Num, lastObservedTime: Time }).optional(),
    involvedObject: z.object({ kind: Str, namespace: Str, name: Str, uid: Str }).default({}),
  })
  .transform((e) => ({
    namespace: e.metadata.namespace,
    type: e.type ?? "Normal",
    reason: e.reason ?? "",
    message: e.message ?? "",
    count: e.series?.count ?? e.count ?? 1,
    first: e.firstTimestamp ?? e.eventTime ?? e.lastTimestamp,
    last: e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp,
    involved: {
      kind: e.involvedObject.kind ?? "",
      namespace: e.involvedObject.namespace ?? e.metadata.namespace,
      name: e.involvedObject.name ?? "",
      uid: e.involvedObject.uid ?? "",
    },
  }));
export type Event = z.output<typeof Event>;

/** metrics.k8s.io PodMetrics: usage per container at one scrape. */
export const PodMetrics = z
  .object({
    metadata: z.object({ name: z.string(), namespace: z.string().default("") }),
    timestamp: Time,
    containers: z.array(z.object({ name: z.string(), usage: Quantities })).default([]),
  })
  .transform((m) => ({
    namespace: m.metadata.namespace,
    name: m.metadata.name,
    timestamp: m.timestamp,
    containers: m.containers,
  }));
export type PodMetrics = z.output<typeof PodMetrics>;

/** Every kind the snapshot can hold, with the schema that slims it. */
export const KINDS = {
  pods: Pod,
  deployments: Deployment,
  replicaSets: ReplicaSet,
  statefulSets: StatefulSet,
  daemonSets: DaemonSet,
  jobs: Job,
  cronJobs: CronJob,
  services: Service,
  ingresses: Ingress,
  ingressClasses: IngressClass,
  persistentVolumeClaims: PersistentVolumeClaim,
  persistentVolumes: PersistentVolume,
  storageClasses: StorageClass,
  nodes: Node,
  horizontalPodAutoscalers: HorizontalPodAutoscaler,
  podDisruptionBudgets: PodDisruptionBudget,
  networkPolicies: NetworkPolicy,
  webhookConfigurations: WebhookConfiguration,
  configMaps: ConfigMap,
  secrets: Secret,
  resourceQuotas: ResourceQuota,
  events: Event,
  podMetrics: PodMetrics,
} as const;

export type KindKey = keyof typeof KINDS;
export const KIND_KEYS = Object.keys(KINDS) as readonly KindKey[];

/** A kind that could not be listed (no RBAC permission, API not served): its analyzers stay quiet. */
export interface SkippedKind {
  readonly kind: KindKey;
  readonly reason: string;
}

export type Snapshot = { readonly [K in KindKey]: readonly z.output<(typeof KINDS)[K]>[] } & {
  /** Namespaces in scope; undefined means all. */
  readonly namespaces: readonly string[] | undefined;
  readonly skipped: readonly SkippedKind[];
};

/** The result of slimming raw lists: the snapshot plus a count of objects that did not parse. */
export interface Ingested {
  readonly snapshot: Snapshot;
  readonly dropped: readonly DroppedObject[];
}

/** Raw lists as the API (or a fixture) gives them; a missing key is an empty list unless it is skipped. */
export type RawLists = Partial<Record<KindKey, readonly unknown[]>>;

function nameOf(o: unknown): string {
  if (typeof o === "object" && o !== null && "metadata" in o) {
    const m = o.metadata;
    if (typeof m === "object" && m !== null && "name" in m && typeof m.name === "string") return m.name;
  }
  return "?";
}

/**
 * Kubernetes JSON writes absent optional fields as `null` in places (core/v1 Event `eventTime`, zero
 * timestamps): to the schemas, null and absent are the same. Dates are kept. Copies only what holds a null or
 * undefined field (arrays keep their null elements) and returns everything else as it is: plain JSON from the
 * API rarely holds one, so a list page is read in place, not copied whole before parsing.
 */
function stripNulls(v: unknown): unknown {
  if (typeof v !== "object" || v === null || v instanceof Date) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = stripNulls(x);
      if (out === undefined && y !== x) out = v.slice(0, i);
      if (out !== undefined) out.push(y);
    }
    return out ?? v;
  }
  // A clean object is returned as it is only if it is what the copy would be: a plain object.
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const o = v as Record<string, unknown>;
    let clean = true;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      const x = o[k];
      if (x === null || x === undefined || stripNulls(x) !== x) {
        clean = false;
        break;
      }
    }
    if (clean) return v;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
  return out;
}

/** Slims raw objects into a snapshot. Objects that do not parse are dropped and counted, never silently. */
/** Slims one raw object of one kind (what `ingest` does per item): the parsed view, or why it did not parse. */
export function ingestOne(
  kind: KindKey,
  o: unknown,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } {
  const schema: z.ZodType = KINDS[kind];
  const r = schema.safeParse(stripNulls(o));
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, problem: r.error.issues[0]?.message ?? "invalid" };
}

/** A snapshot from already slimmed items (e.g. a cache of `ingestOne` results). */
export function assembleSnapshot(
  items: Partial<Record<KindKey, readonly unknown[]>>,
  opts: { namespaces?: readonly string[] | undefined; skipped?: readonly SkippedKind[] } = {},
): Snapshot {
  const out: Record<string, readonly unknown[]> = {};
  for (const kind of KIND_KEYS) out[kind] = items[kind] ?? [];
  return {
    ...(out as unknown as { [K in KindKey]: z.output<(typeof KINDS)[K]>[] }),
    namespaces: opts.namespaces,
    skipped: opts.skipped ?? [],
  };
}

/** A raw object that did not parse: dropped and counted, never silently. */
export interface DroppedObject {
  readonly kind: KindKey;
  readonly name: string;
  readonly problem: string;
}

/**
 * Slims raw objects of one kind (one list page, say) and appends the views to `into`, the objects that do not
 * parse to `dropped`. The raw page is not kept: a caller that ingests page by page holds one raw page at a
 * time, never the whole raw cluster.
 */
export function ingestInto(
  kind: KindKey,
  raw: readonly unknown[],
  into: unknown[],
  dropped: DroppedObject[],
): void {
  const schema: z.ZodType = KINDS[kind];
  for (const o of raw) {
    const r = schema.safeParse(stripNulls(o));
    if (r.success) into.push(r.data);
    else dropped.push({ kind, name: nameOf(o), problem: r.error.issues[0]?.message ?? "invalid" });
  }
}

export function ingest(
  raw: RawLists,
  opts: { namespaces?: readonly string[] | undefined; skipped?: readonly SkippedKind[] } = {},
): Ingested {
  const dropped: DroppedObject[] = [];
  const out: Partial<Record<KindKey, unknown[]>> = {};
  for (const kind of KIND_KEYS) ingestInto(kind, raw[kind] ?? [], (out[kind] = []), dropped);
  return { snapshot: assembleSnapshot(out, opts), dropped };
}

export function emptySnapshot(): Snapshot {
  return ingest({}).snapshot;
}

/** The snapshot key of each Kubernetes kind. */
export const KIND_KEY_OF: Readonly<Record<string, KindKey>> = {
  Pod: "pods",
  Deployment: "deployments",
  ReplicaSet: "replicaSets",
  StatefulSet: "statefulSets",
  DaemonSet: "daemonSets",
  Job: "jobs",
  CronJob: "cronJobs",
  Service: "services",
  Ingress: "ingresses",
  IngressClass: "ingressClasses",
  PersistentVolumeClaim: "persistentVolumeClaims",
  PersistentVolume: "persistentVolumes",
  StorageClass: "storageClasses",
  Node: "nodes",
  HorizontalPodAutoscaler: "horizontalPodAutoscalers",
  PodDisruptionBudget: "podDisruptionBudgets",
  NetworkPolicy: "networkPolicies",
  ValidatingWebhookConfiguration: "webhookConfigurations",
  MutatingWebhookConfiguration: "webhookConfigurations",
  ConfigMap: "configMaps",
  Secret: "secrets",
  ResourceQuota: "resourceQuotas",
  Event: "events",
  PodMetrics: "podMetrics",
};

/** Sorts a flat list of objects (a recorded cluster, a fixture) into raw lists by their `kind`. */
export function groupByKind(objects: readonly unknown[]): {
  lists: RawLists;
  unknownKinds: readonly string[];
} {
  const lists: Partial<Record<KindKey, unknown[]>> = {};
  const unknownKinds = new Set<string>();
  for (const o of objects) {
    const kind =
      typeof o === "object" && o !== null && "kind" in o && typeof o.kind === "string" ? o.kind : "";
    const key = KIND_KEY_OF[kind];
    if (key === undefined) {
      unknownKinds.add(kind);
      continue;
    }
    (lists[key] ??= []).push(o);
  }
  return { lists, unknownKinds: [...unknownKinds] };
}

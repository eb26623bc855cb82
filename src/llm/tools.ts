/**
 * The tools a model (or an MCP client) may call. Each has a zod schema (validation and the JSON Schema
 * the model sees), an output cap and hints to narrow the query. Whether a tool writes is fixed here, in
 * code (`mutating`), never decided by a model. The only mutating tool is `propose_fix`: it produces a
 * proposal that a human must approve; the agent loop enforces that.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { z } from "zod";
import * as logmine from "../logmine/index.js";
import { capList } from "./cap.js";
import type { FindingsSource } from "./findings.js";
import { liveRecommendations, recommendationView } from "./recommend.js";
import { eventTime, eventView, KIND_NAMES, resolveKind, slim, summarize, type KindInfo } from "./views.js";
import type { CoreV1Event } from "@kubernetes/client-node";

/** The cluster, read-only. The edge implementation is `kubeReader`; tests pass a fake. */
export interface ClusterReader {
  list(
    q: {
      readonly kind: KindInfo;
      readonly namespace: string | undefined;
      readonly labelSelector?: string | undefined;
      readonly fieldSelector?: string | undefined;
      readonly limit: number;
    },
    signal: AbortSignal,
  ): Promise<{ readonly items: readonly KubernetesObject[]; readonly more: boolean }>;
  get(
    q: { readonly kind: KindInfo; readonly namespace: string | undefined; readonly name: string },
    signal: AbortSignal,
  ): Promise<KubernetesObject>;
  logs(
    q: {
      readonly namespace: string;
      readonly pod: string;
      readonly container?: string | undefined;
      readonly tailLines: number;
      readonly sinceSeconds?: number | undefined;
      readonly previous: boolean;
      readonly limitBytes: number;
    },
    signal: AbortSignal,
  ): Promise<string>;
  /** metrics.k8s.io PodMetrics or NodeMetrics items. */
  metrics(
    q: {
      readonly kind: "pods" | "nodes";
      readonly namespace: string | undefined;
      readonly labelSelector?: string | undefined;
    },
    signal: AbortSignal,
  ): Promise<readonly KubernetesObject[]>;
}

/** A write the model would like a human to make. */
export interface Proposal {
  readonly action: "scale" | "restart";
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly replicas?: number | undefined;
  readonly reason: string;
}

export interface ToolContext {
  readonly cluster: ClusterReader;
  readonly findings: FindingsSource;
  /** Namespace used when a call names none (`-n`); undefined means all namespaces. */
  readonly defaultNamespace: string | undefined;
  readonly now: () => Date;
  readonly signal: AbortSignal;
}

export interface Tool {
  readonly name: string;
  readonly description: string;
  /** Decided by code. A mutating tool never runs without approval (see agent.ts). */
  readonly mutating: boolean;
  readonly schema: z.ZodObject;
  /** JSON Schema of the arguments, as providers and MCP clients see it. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Validates and runs. Throws ToolInputError for bad arguments. */
  run(args: unknown, ctx: ToolContext): Promise<unknown>;
}

export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolInputError";
  }
}

function defineTool<S extends z.ZodObject>(def: {
  name: string;
  description: string;
  mutating?: boolean;
  schema: S;
  run: (args: z.output<S>, ctx: ToolContext) => Promise<unknown>;
}): Tool {
  const parameters = z.toJSONSchema(def.schema, { io: "input", target: "draft-7" }) as Record<
    string,
    unknown
  >;
  delete parameters["$schema"];
  return {
    name: def.name,
    description: def.description,
    mutating: def.mutating ?? false,
    schema: def.schema,
    parameters,
    async run(raw: unknown, ctx: ToolContext) {
      const r = def.schema.safeParse(raw);
      if (!r.success) throw new ToolInputError(z.prettifyError(r.error));
      return def.run(r.data, ctx);
    },
  };
}

const kindArg = z
  .string()
  .min(1)
  .max(64)
  .describe(`resource kind, kubectl style: ${KIND_NAMES.join(", ")}`);
const nsArg = z
  .string()
  .max(63)
  .optional()
  .describe('namespace; omit for the default namespace of this session, "" or "*" for all namespaces');
const selector = z.string().max(512).optional();

function kindOrThrow(kind: string): KindInfo {
  const k = resolveKind(kind);
  if (k === undefined) throw new ToolInputError(`unknown kind "${kind}"; known: ${KIND_NAMES.join(", ")}`);
  return k;
}

function nsFor(ns: string | undefined, k: KindInfo | undefined, ctx: ToolContext): string | undefined {
  if (k !== undefined && !k.namespaced) return undefined;
  if (ns === "" || ns === "*") return undefined;
  return ns ?? ctx.defaultNamespace;
}

const NARROW =
  "narrow with namespace, labelSelector (app=web) or fieldSelector (status.phase!=Running), or lower limit";

const listResources = defineTool({
  name: "list_resources",
  description:
    "List objects of one kind as one summary row each (status, readiness, restarts, problems). Use selectors to narrow; at most `limit` rows.",
  schema: z.object({
    kind: kindArg,
    namespace: nsArg,
    labelSelector: selector.describe("label selector, e.g. app=checkout,tier!=db"),
    fieldSelector: selector.describe("field selector, e.g. status.phase!=Running or spec.nodeName=node-1"),
    limit: z.number().int().min(1).max(100).default(30),
  }),
  async run(a, ctx) {
    const kind = kindOrThrow(a.kind);
    const res = await ctx.cluster.list(
      {
        kind,
        namespace: nsFor(a.namespace, kind, ctx),
        labelSelector: a.labelSelector,
        fieldSelector: a.fieldSelector,
        limit: a.limit,
      },
      ctx.signal,
    );
    const now = ctx.now();
    const rows =
      kind.kind === "Event"
        ? [...(res.items as CoreV1Event[])]
            .sort((x, y) => eventTime(y) - eventTime(x))
            .map((e) => eventView(e, now))
        : res.items.map((o) => summarize({ ...o, kind: kind.kind }, now));
    const capped = capList(rows, a.limit);
    return {
      kind: kind.kind,
      items: capped.items,
      count: capped.items.length,
      ...(res.more || capped.truncated ? { truncated: true, hint: NARROW } : {}),
    };
  },
});

const getResource = defineTool({
  name: "get_resource",
  description:
    "Get one object (spec and status; managedFields removed; Secret values are never shown, only their key names).",
  schema: z.object({ kind: kindArg, name: z.string().min(1).max(253), namespace: nsArg }),
  async run(a, ctx) {
    const kind = kindOrThrow(a.kind);
    const obj = await ctx.cluster.get(
      {
        kind,
        namespace: nsFor(a.namespace, kind, ctx) ?? (kind.namespaced ? "default" : undefined),
        name: a.name,
      },
      ctx.signal,
    );
    return slim({ ...obj, kind: kind.kind, apiVersion: kind.apiVersion });
  },
});

async function eventsFor(
  ctx: ToolContext,
  q: {
    namespace: string | undefined;
    name?: string | undefined;
    kind?: string | undefined;
    type?: string | undefined;
    limit: number;
  },
) {
  const fields = [
    q.name !== undefined ? `involvedObject.name=${q.name}` : undefined,
    q.kind !== undefined ? `involvedObject.kind=${q.kind}` : undefined,
    q.type !== undefined ? `type=${q.type}` : undefined,
  ].filter((s) => s !== undefined);
  const res = await ctx.cluster.list(
    {
      kind: kindOrThrow("event"),
      namespace: q.namespace,
      fieldSelector: fields.length > 0 ? fields.join(",") : undefined,
      limit: 500,
    },
    ctx.signal,
  );
  const now = ctx.now();
  const sorted = [...(res.items as CoreV1Event[])].sort((x, y) => eventTime(y) - eventTime(x));
  const capped = capList(
    sorted.map((e) => eventView(e, now)),
    q.limit,
  );
  return {
    items: capped.items,
    total: capped.total,
    ...(capped.truncated ? { truncated: true, hint: "filter by name, kind or type=Warning" } : {}),
  };
}

const describeResource = defineTool({
  name: "describe_resource",
  description:
    "Describe one object like `kubectl describe`: its summary, its recent events and, for workloads, the summary of its pods.",
  schema: z.object({ kind: kindArg, name: z.string().min(1).max(253), namespace: nsArg }),
  async run(a, ctx) {
    const kind = kindOrThrow(a.kind);
    const ns = nsFor(a.namespace, kind, ctx) ?? (kind.namespaced ? "default" : undefined);
    const obj = await ctx.cluster.get({ kind, namespace: ns, name: a.name }, ctx.signal);
    const now = ctx.now();
    const out: Record<string, unknown> = { summary: summarize({ ...obj, kind: kind.kind }, now) };
    const spec = (
      obj as { spec?: { selector?: { matchLabels?: Record<string, string> }; template?: unknown } }
    ).spec;
    const labels = spec?.selector?.matchLabels;
    if (spec?.template !== undefined && labels !== undefined && Object.keys(labels).length > 0) {
      const sel = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const pods = await ctx.cluster.list(
        { kind: kindOrThrow("pod"), namespace: ns, labelSelector: sel, limit: 20 },
        ctx.signal,
      );
      out["pods"] = pods.items.map((p) => summarize({ ...p, kind: "Pod" }, now));
      out["template"] = slim({ spec: spec.template } as KubernetesObject);
    }
    out["events"] = (await eventsFor(ctx, { namespace: ns, name: a.name, limit: 15 })).items;
    return out;
  },
});

const getEvents = defineTool({
  name: "get_events",
  description: "Recent events, newest first. Filter by object name, kind and type (Warning) to stay small.",
  schema: z.object({
    namespace: nsArg,
    name: z.string().max(253).optional().describe("involved object's name"),
    kind: z.string().max(64).optional().describe("involved object's kind, e.g. Pod"),
    type: z.enum(["Warning", "Normal"]).optional(),
    limit: z.number().int().min(1).max(100).default(30),
  }),
  async run(a, ctx) {
    return eventsFor(ctx, {
      namespace: nsFor(a.namespace, undefined, ctx),
      name: a.name,
      kind: a.kind,
      type: a.type,
      limit: a.limit,
    });
  },
});

const LOG_SUMMARY_THRESHOLD = 60;

const getPodLogs = defineTool({
  name: "get_pod_logs",
  description:
    "A pod's log tail (bounded). Long tails are summarised as templates with counts (errors first) plus the last lines. Use previous=true for the crashed container's logs.",
  schema: z.object({
    pod: z.string().min(1).max(253),
    namespace: nsArg,
    container: z.string().max(63).optional(),
    tailLines: z.number().int().min(1).max(2000).default(200),
    sinceSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .optional(),
    previous: z.boolean().default(false),
  }),
  async run(a, ctx) {
    const ns = nsFor(a.namespace, undefined, ctx) ?? "default";
    const text = await ctx.cluster.logs(
      {
        namespace: ns,
        pod: a.pod,
        container: a.container,
        tailLines: a.tailLines,
        sinceSeconds: a.sinceSeconds,
        previous: a.previous,
        limitBytes: 256 * 1024,
      },
      ctx.signal,
    );
    const lines = text.split("\n").filter((l) => l !== "");
    if (lines.length <= LOG_SUMMARY_THRESHOLD)
      return { pod: a.pod, namespace: ns, previous: a.previous, lines };
    const an = logmine.createLogAnalyzer(logmine.defaultMinerConfig, logmine.defaultSignalConfig);
    for (const l of lines) an.push(l, a.pod);
    const r = an.report(15);
    return {
      pod: a.pod,
      namespace: ns,
      previous: a.previous,
      lineCount: r.lines,
      errors: r.errors
        .slice(0, 5)
        .map((t) => ({ template: t.template, count: t.count, example: t.examples[0] })),
      templates: r.templates.map((t) => ({ template: t.typed, count: t.count, severity: t.severity })),
      lastLines: lines.slice(-15),
      hint: "summarised; ask with a smaller tailLines or sinceSeconds for raw lines",
    };
  },
});

const getFindings = defineTool({
  name: "get_findings",
  description:
    "Vigil's findings: what is broken, with evidence and a suggested next step. Start here for 'what is wrong' questions.",
  schema: z.object({ namespace: nsArg, limit: z.number().int().min(1).max(100).default(30) }),
  async run(a, ctx) {
    const f = await ctx.findings({ namespace: nsFor(a.namespace, undefined, ctx) }, ctx.signal);
    const capped = capList(f, a.limit);
    return {
      findings: capped.items,
      total: capped.total,
      ...(capped.truncated ? { truncated: true, hint: "pass a namespace" } : {}),
    };
  },
});

interface UsageItem {
  metadata?: { name?: string; namespace?: string };
  containers?: { name: string; usage: Record<string, string> }[];
  usage?: Record<string, string>;
}

const getMetrics = defineTool({
  name: "get_metrics",
  description: "Current CPU and memory usage from metrics.k8s.io (like `kubectl top`), for pods or nodes.",
  schema: z.object({
    kind: z.enum(["pods", "nodes"]).default("pods"),
    namespace: nsArg,
    labelSelector: selector,
    limit: z.number().int().min(1).max(100).default(30),
  }),
  async run(a, ctx) {
    const items = (await ctx.cluster.metrics(
      {
        kind: a.kind,
        namespace: a.kind === "nodes" ? undefined : nsFor(a.namespace, undefined, ctx),
        labelSelector: a.labelSelector,
      },
      ctx.signal,
    )) as UsageItem[];
    const rows = items.map((m) => ({
      name: m.metadata?.name,
      ...(m.metadata?.namespace !== undefined ? { namespace: m.metadata.namespace } : {}),
      ...(m.usage !== undefined ? { cpu: m.usage["cpu"], memory: m.usage["memory"] } : {}),
      ...(m.containers !== undefined
        ? {
            containers: m.containers.map((c) => ({
              name: c.name,
              cpu: c.usage["cpu"],
              memory: c.usage["memory"],
            })),
          }
        : {}),
    }));
    const capped = capList(rows, a.limit);
    return {
      items: capped.items,
      total: capped.total,
      ...(capped.truncated ? { truncated: true, hint: NARROW } : {}),
    };
  },
});

const WORKLOAD_KIND: Readonly<Record<string, string>> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
};

const getRecommendations = defineTool({
  name: "get_recommendations",
  description:
    "Vigil's right-sizing recommendations (what `vigil recommend` computes): per workload and container, current → recommended CPU/memory requests and limits, peak usage, OOM kills, QoS change, monthly cost and the exact patch. From one metrics.k8s.io reading, so confidence is low for a young workload. Read-only: nothing is applied. Narrow with namespace, name or labelSelector.",
  schema: z.object({
    namespace: nsArg,
    name: z.string().min(1).max(253).optional().describe("one workload's name"),
    kind: z.enum(["deployment", "statefulset", "daemonset"]).optional(),
    labelSelector: selector.describe("workloads whose labels match, e.g. app=checkout"),
    includeUnchanged: z
      .boolean()
      .default(false)
      .describe("also list workloads whose resources are already right (status ok or noData)"),
    limit: z.number().int().min(1).max(50).default(20),
  }),
  async run(a, ctx) {
    const plan = await liveRecommendations(
      ctx.cluster,
      { namespace: nsFor(a.namespace, undefined, ctx), labelSelector: a.labelSelector },
      ctx.now,
      ctx.signal,
    );
    const kind = a.kind !== undefined ? WORKLOAD_KIND[a.kind] : undefined;
    const named = plan.workloads.filter(
      (w) => (a.name === undefined || w.name === a.name) && (kind === undefined || w.kind === kind),
    );
    if (a.name !== undefined && named.length === 0)
      throw new ToolInputError(
        `no Deployment, StatefulSet or DaemonSet named "${a.name}"${a.namespace !== undefined ? ` in namespace ${a.namespace}` : ""}`,
      );
    // Workloads with something to change first, the biggest savings first.
    const shown = named
      .filter((w) => a.includeUnchanged || a.name !== undefined || w.patchBytes !== undefined)
      .sort(
        (x, y) =>
          Number(y.patchBytes !== undefined) - Number(x.patchBytes !== undefined) ||
          y.monthly.savings - x.monthly.savings,
      );
    const capped = capList(shown.map(recommendationView), a.limit);
    const idle = plan.idle.filter((i) => a.name === undefined || i.name.endsWith(`/${a.name}`));
    return {
      source: plan.source,
      currency: plan.currency,
      workloads: capped.items,
      total: capped.total,
      unchanged: named.length - named.filter((w) => w.patchBytes !== undefined).length,
      ...(idle.length > 0 ? { idle: idle.slice(0, 10) } : {}),
      ...(plan.skipped.length > 0 && a.name === undefined ? { skipped: plan.skipped.slice(0, 10) } : {}),
      ...(capped.truncated ? { truncated: true, hint: "narrow with namespace, name or labelSelector" } : {}),
      note: "one usage reading: for a longer window run `vigil recommend --sample 5m` or with --prometheus-url",
    };
  },
});

export const proposeFix = defineTool({
  name: "propose_fix",
  mutating: true,
  description:
    "Propose a change (scale a workload or restart its pods). Nothing changes unless a human approves it interactively; without approval, describe the fix in your answer instead.",
  schema: z.object({
    action: z.enum(["scale", "restart"]),
    kind: z.enum(["deployment", "statefulset"]).default("deployment"),
    name: z.string().min(1).max(253),
    namespace: nsArg,
    replicas: z.number().int().min(0).max(100).optional(),
    reason: z.string().min(1).max(500),
  }),
  // Never called by the agent loop without approval; the approved write goes through a WriteExecutor.
  run(a) {
    return Promise.resolve({ proposal: a });
  },
});

/** The read-only tools: what `vigil ask` offers by default and `vigil mcp` serves. */
export const READ_ONLY_TOOLS: readonly Tool[] = [
  getFindings,
  listResources,
  getResource,
  describeResource,
  getEvents,
  getPodLogs,
  getMetrics,
  getRecommendations,
];

export const ALL_TOOLS: readonly Tool[] = [...READ_ONLY_TOOLS, proposeFix];

/** Parses a proposal from `propose_fix` arguments, filling the namespace. */
export function toProposal(args: unknown, defaultNamespace: string | undefined): Proposal {
  const r = proposeFix.schema.safeParse(args);
  if (!r.success) throw new ToolInputError(z.prettifyError(r.error));
  const a = r.data as {
    action: "scale" | "restart";
    kind: string;
    name: string;
    namespace?: string;
    replicas?: number;
    reason: string;
  };
  if (a.action === "scale" && a.replicas === undefined) throw new ToolInputError("scale needs replicas");
  return {
    action: a.action,
    kind: a.kind,
    namespace:
      a.namespace !== undefined && a.namespace !== "" ? a.namespace : (defaultNamespace ?? "default"),
    name: a.name,
    replicas: a.replicas,
    reason: a.reason,
  };
}

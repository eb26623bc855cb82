/**
 * The tools a model (or an MCP client) may call. Each has a zod schema (validation and the JSON Schema
 * the model sees), an output cap and hints to narrow the query. Whether a tool writes is fixed here, in
 * code (`mutating`, the fixed WRITE_TOOLS), never decided by a model. A write tool only names what it
 * wants; the agent loop has the remediation engine plan it under its guardrails and a human approve it.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { z } from "zod";
import * as logmine from "../logmine/index.js";
import { capList, capText } from "./cap.js";
import type { FindingsSource } from "./findings.js";
import { liveRecommendations, recommendationView } from "./recommend.js";
import {
  ASSISTANT_ACTION_KINDS,
  patchText,
  planAll,
  planningState,
  type AssistantActionKind,
  type WriteRequest,
} from "./remediation.js";
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

const planRemediation = defineTool({
  name: "plan_remediation",
  description:
    "Vigil's remediation planner in dry run: for one namespace, the actions it would take (rollback, raiseMemory, addStartupProbe, restart, cleanupPods, …) with their exact patches, and the actions its guardrails block (HealingPolicy scope and mode, kube-system, PDB, cooldown, caps) with the reason. Changes nothing. Narrow with name.",
  schema: z.object({
    namespace: nsArg,
    name: z.string().min(1).max(253).optional().describe("only actions on this workload or node"),
    limit: z.number().int().min(1).max(50).default(20),
  }),
  async run(a, ctx) {
    const ns = nsFor(a.namespace, undefined, ctx);
    if (ns === undefined) throw new ToolInputError("plan_remediation needs one namespace");
    const state = await planningState(ctx.cluster, ns, ctx.now(), ctx.signal);
    const on = (t: { namespace: string; name: string }) => a.name === undefined || t.name === a.name;
    return planAll(state).map(({ policy, plan }) => {
      const actions = capList(
        plan.actions
          .filter((x) => on(x.target))
          .map((x) => ({
            actionId: x.id,
            kind: x.kind,
            target: `${x.target.kind} ${x.target.namespace}/${x.target.name}`,
            policyMode: x.mode,
            disruptive: x.disruptive,
            reason: x.reason.message,
            patch: capText(patchText(x.patches), 3000, "the patch is shown in full to the approver"),
          })),
        a.limit,
      );
      const skipped = capList(
        plan.skipped
          .filter((x) => on(x.target))
          .map((x) => ({
            kind: x.kind,
            target: `${x.target.kind} ${x.target.namespace !== "" ? `${x.target.namespace}/` : ""}${x.target.name}`,
            guardrail: x.guardrail,
            message: x.message,
            ...(x.retryAt !== undefined ? { retryAt: x.retryAt } : {}),
          })),
        a.limit,
      );
      return {
        policy,
        summary: plan.summary,
        actions: actions.items,
        skipped: skipped.items,
        escalations: plan.escalations.slice(0, 10).map((e) => ({ reason: e.reason, message: e.message })),
        ...(actions.truncated || skipped.truncated ? { truncated: true, hint: "pass name" } : {}),
      };
    });
  },
});

const writeReason = z
  .string()
  .min(1)
  .max(500)
  .describe("why, in one sentence; shown to the human who approves");
const workloadName = z.string().min(1).max(253).describe("the Deployment, StatefulSet or DaemonSet");

/**
 * Write tools. They never run on their own: the agent loop turns their arguments into a WriteRequest
 * (`writeRequest`), the remediation engine plans the action with its guardrails, and a human approves it.
 */
function writeTool(def: { name: string; description: string; schema: z.ZodObject }): Tool {
  return defineTool({
    ...def,
    mutating: true,
    run() {
      return Promise.reject(
        new ToolInputError(`${def.name} changes the cluster: it runs only through the approval path`),
      );
    },
  });
}

export const applyRemediation = writeTool({
  name: "apply_remediation",
  description:
    "Apply one action Vigil's remediation planner proposes for a workload (see plan_remediation). The planner builds the exact patch under the HealingPolicy guardrails; a human must approve it. A blocked action is refused with the guardrail's reason.",
  schema: z.object({
    kind: z.enum(ASSISTANT_ACTION_KINDS),
    name: workloadName,
    namespace: nsArg,
    actionId: z.string().max(64).optional().describe("the actionId plan_remediation showed"),
    reason: writeReason,
  }),
});

export const rollbackTool = writeTool({
  name: "rollback",
  description:
    "Roll a Deployment back to its last healthy revision, as Vigil's remediation planner builds it (only after a bad rollout it detected); a human must approve.",
  schema: z.object({ name: workloadName, namespace: nsArg, reason: writeReason }),
});

export const restartTool = writeTool({
  name: "restart",
  description:
    "Restart a crash-looping workload's pods, as Vigil's remediation planner builds it (only where restarts cured the same crash before); a human must approve.",
  schema: z.object({ name: workloadName, namespace: nsArg, reason: writeReason }),
});

/** The write tools, fixed in code. Nothing else can change the cluster. */
export const WRITE_TOOLS: readonly Tool[] = [applyRemediation, rollbackTool, restartTool];
const WRITE_KIND: Readonly<Record<string, AssistantActionKind | undefined>> = {
  rollback: "rollback",
  restart: "restart",
};

/** A write tool's arguments as the request the remediation engine plans; the namespace filled in. */
export function writeRequest(tool: Tool, args: unknown, defaultNamespace: string | undefined): WriteRequest {
  if (!WRITE_TOOLS.includes(tool)) throw new ToolInputError(`${tool.name} is not a write tool`);
  const r = tool.schema.safeParse(args);
  if (!r.success) throw new ToolInputError(z.prettifyError(r.error));
  const a = r.data as {
    kind?: AssistantActionKind;
    name: string;
    namespace?: string;
    actionId?: string;
    reason: string;
  };
  const kind = a.kind ?? WRITE_KIND[tool.name];
  if (kind === undefined) throw new ToolInputError("kind is required");
  const ns =
    a.namespace !== undefined && a.namespace !== "" && a.namespace !== "*" ? a.namespace : defaultNamespace;
  if (ns === undefined) throw new ToolInputError("namespace is required (this session spans all namespaces)");
  return { tool: tool.name, kind, namespace: ns, name: a.name, actionId: a.actionId, reason: a.reason };
}

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
  planRemediation,
];

export const ALL_TOOLS: readonly Tool[] = [...READ_ONLY_TOOLS, ...WRITE_TOOLS];

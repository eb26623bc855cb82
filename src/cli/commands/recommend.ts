/**
 * @module
 * `vigil recommend`: CPU and memory requests and limits from usage, from the VPA recommender and from Vigil.
 * - Live (default): `[WORKLOAD] [-n NS | -A] [-l SELECTOR] [--sample 60s] [--prometheus-url URL --history 7d]
 *   [--apply] [--dry-run]`: usage sampled from metrics.k8s.io (or read from Prometheus), requests and limits
 *   from the owning Deployments/StatefulSets/DaemonSets, one plan per workload (`../rightsize/plan.ts`) with
 *   the exact strategic-merge patch of its template, QoS change, quota headroom, node overcommitment, idle
 *   workloads, probe advice and cost. `--dry-run` prints the patch and sends it with `dryRun=All`; the patch
 *   is sent for real only with `--apply` or when a HealingPolicy selecting the workload is in Auto mode.
 * - Offline: `--usage FILE.csv` for one container's recorded history (the `UsageSource` port).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { contextNamespace, KubeError, loadKubeConfig } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import * as rs from "../../rightsize/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { OutputFormat, renderData, renderTable } from "../output.js";
import {
  collect,
  planLive,
  podOwner,
  sendPatch,
  showCpu,
  showMem,
  type LivePlan,
  type PlanOptions,
  type Scope,
  type WorkloadKind,
} from "../rightsize/index.js";
import { parseDuration } from "./bench/autoscale.js";

/** Where a container's usage history comes from. */
export interface UsageSource {
  readonly describe: string;
  load(signal: AbortSignal): Promise<readonly rs.UsageTrace[]>;
}

export function usageFileSource(path: string): UsageSource {
  return {
    describe: path,
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        return Promise.reject(new VigilError("NotFound", `cannot read ${path}`, { cause: err }));
      }
      const r = rs.parseUsageCsv(text);
      if (r.kind === "error")
        return Promise.reject(new VigilError("BadInput", `${path}:${r.line}: ${r.message}`));
      return Promise.resolve([{ name: basename(path).replace(/\.csv$/, ""), samples: r.samples }]);
    },
  };
}

const cores = (x: number | undefined) =>
  x === undefined ? "-" : !Number.isFinite(x) ? "∞" : x >= 1 ? x.toFixed(2) : `${Math.ceil(x * 1000)}m`;
const bytes = (x: number | undefined) =>
  x === undefined
    ? "-"
    : !Number.isFinite(x)
      ? "∞"
      : x >= rs.GiB
        ? `${(x / rs.GiB).toFixed(2)}Gi`
        : `${Math.ceil(x / rs.MiB)}Mi`;
const money = (x: number | undefined, cur: string) => (x === undefined ? "-" : `${x.toFixed(2)} ${cur}`);

/** JSON-friendly: infinite bounds become null. */
function finite(r: rs.RecommendReport): unknown {
  return JSON.parse(
    JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
}

export function renderRecommendTable(r: rs.RecommendReport): string {
  const rows = [
    [
      "current",
      "-",
      cores(r.current.cpu),
      "-",
      "-",
      bytes(r.current.mem),
      "-",
      "-",
      "-",
      money(r.monthly.current, r.currency),
    ],
    ...[r.vpa, r.vigil].map((x) => [
      x.recommender,
      cores(x.cpu.lower),
      cores(x.cpu.target),
      cores(x.cpu.upper),
      bytes(x.mem.lower),
      bytes(x.mem.target),
      bytes(x.mem.upper),
      `${cores(x.limits.cpu)} / ${bytes(x.limits.mem)}`,
      x.confidence.toFixed(2),
      money(x.recommender === "vpa" ? r.monthly.vpa : r.monthly.vigil, r.currency),
    ]),
  ];
  const days = (r.to - r.from) / rs.DAY;
  return (
    `container: ${r.container}  history: ${days.toFixed(1)} days, ${r.samples} samples  peak: ${cores(r.peak.cpu)} CPU, ${bytes(r.peak.mem)} memory\n\n` +
    renderTable(
      [
        "",
        "cpu-lower",
        "cpu-target",
        "cpu-upper",
        "mem-lower",
        "mem-target",
        "mem-upper",
        "limits",
        "confidence",
        "per-month",
      ],
      rows,
    ) +
    `\nQoS: vpa ${r.qos.vpa.note}; vigil ${r.qos.vigil.note}\n` +
    r.vigil.reasons.map((x) => `vigil ${x}\n`).join("")
  );
}

const Duration = (flag: string) =>
  z.string().transform((v, c) => {
    const d = parseDuration(v);
    if (d === undefined || d < 0) {
      c.addIssue({ code: "custom", message: `${flag}: not a duration: "${v}" (use 30s, 5m, 7d)` });
      return z.NEVER;
    }
    return d;
  });

const Flags = z
  .object({
    target: z.string().optional(),
    usage: z.string().optional(),
    cpuLimit: z.coerce.number().positive().optional(),
    memoryLimit: z.coerce.number().positive().optional(),
    cpuPrice: z.coerce.number().nonnegative(),
    memoryPrice: z.coerce.number().nonnegative(),
    output: OutputFormat,
    namespace: z.string().min(1).optional(),
    allNamespaces: z.boolean().optional(),
    selector: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    apply: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    sample: Duration("--sample"),
    interval: Duration("--interval").refine((x) => x >= 1, "--interval is at least 1s"),
    history: Duration("--history").optional(),
    prometheusUrl: z.url().optional(),
    minChange: z.coerce.number().min(0).max(1),
  })
  .refine((f) => !(f.namespace !== undefined && f.allNamespaces === true), {
    message: "use either -n NAMESPACE or -A, not both",
  })
  .refine((f) => !(f.target !== undefined && f.allNamespaces === true), {
    message: "a WORKLOAD names one object: use -n, not -A",
  })
  .refine((f) => f.history === undefined || f.prometheusUrl !== undefined, {
    message:
      "--history needs --prometheus-url (metrics.k8s.io only has the present: use --sample for a longer window)",
  });
type Flags = z.output<typeof Flags>;

const TARGET_KINDS: Readonly<Record<string, WorkloadKind | "Pod">> = {
  deployment: "Deployment",
  deployments: "Deployment",
  deploy: "Deployment",
  statefulset: "StatefulSet",
  statefulsets: "StatefulSet",
  sts: "StatefulSet",
  daemonset: "DaemonSet",
  daemonsets: "DaemonSet",
  ds: "DaemonSet",
  pod: "Pod",
  pods: "Pod",
  po: "Pod",
};

/** `deployment/NAME` (kubectl spellings) → kind and name; a usage error otherwise. */
export function parseTarget(arg: string): { kind: WorkloadKind | "Pod"; name: string } {
  const m = /^([a-z]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(arg);
  const kind = m?.[1] !== undefined ? TARGET_KINDS[m[1]] : undefined;
  if (kind === undefined || m?.[2] === undefined)
    throw new VigilError(
      "Usage",
      `not a workload: "${arg}" (use deployment/NAME, statefulset/NAME or daemonset/NAME)`,
    );
  return { kind, name: m[2] };
}

const perMonth = (x: number, cur: string) => `${x.toFixed(2)} ${cur}`;

export interface ApplyResult {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly action: "applied" | "serverDryRun" | "notApplied" | "failed";
  readonly why: string;
}

/** kubectl-style tables: workloads, then namespaces, quotas, nodes at risk, idle workloads, probes, skipped, patches. */
export function renderLiveTable(p: LivePlan, results: readonly ApplyResult[], dryRun: boolean): string {
  const cur = p.currency;
  const rows = p.workloads.flatMap((w) =>
    w.containers.map((c, i) => [
      i === 0 ? w.namespace : "",
      i === 0 ? `${w.kind.toLowerCase()}/${w.name}` : "",
      c.name,
      `${showCpu(c.current.requests.cpu)}→${showCpu(c.proposed.requests.cpu)}`,
      `${showMem(c.current.requests.mem)}→${showMem(c.proposed.requests.mem)}`,
      `${showCpu(c.proposed.limits.cpu)} / ${showMem(c.proposed.limits.mem)}`,
      c.vpa === undefined ? "-" : `${showCpu(c.vpa.cpu.target)} / ${showMem(Math.ceil(c.vpa.mem.target))}`,
      showMem(c.peak.mem),
      i === 0 ? (w.qos.changed ? `${w.qos.now}→${w.qos.recommended}` : w.qos.now) : "",
      i === 0 ? `${perMonth(w.monthly.current, cur)}→${perMonth(w.monthly.proposed, cur)}` : "",
      i === 0 ? w.status : "",
    ]),
  );
  let out = `usage: ${p.source}\n\n`;
  out +=
    rows.length === 0
      ? "no Deployments, StatefulSets or DaemonSets in scope\n"
      : renderTable(
          [
            "namespace",
            "workload",
            "container",
            "cpu-req",
            "mem-req",
            "limits",
            "vpa",
            "mem-peak",
            "qos",
            "per-month",
            "status",
          ],
          rows,
        );
  if (p.namespaces.length > 0) {
    out +=
      "\n" +
      renderTable(
        ["namespace", "per-month-now", "per-month-recommended", "savings"],
        p.namespaces.map((n) => [
          n.namespace,
          perMonth(n.monthly.current, cur),
          perMonth(n.monthly.proposed, cur),
          perMonth(n.monthly.savings, cur),
        ]),
      );
  }
  const quotaRows = p.namespaces.flatMap((n) =>
    n.quotas.flatMap((q) =>
      q.lines
        .filter((l) => l.hard !== undefined)
        .map((l) => {
          const f = l.resource.endsWith("Cpu") ? showCpu : showMem;
          return [
            n.namespace,
            q.name,
            l.resource,
            `${f(l.used)} / ${f(l.hard)}`,
            l.headroom === undefined ? "-" : f(Math.max(0, l.headroom)),
            f(l.recommendedUse),
            f(l.suggestedHard),
          ];
        }),
    ),
  );
  if (quotaRows.length > 0)
    out +=
      "\n" +
      renderTable(
        ["namespace", "quota", "resource", "used/hard", "headroom", "after", "suggested-hard"],
        quotaRows,
      );
  const risky = (p.nodes ?? []).filter((n) => n.risk !== "none");
  if (risky.length > 0)
    out +=
      "\n" +
      renderTable(
        ["node", "overcommit-risk", "why"],
        risky.map((n) => [n.node, n.risk, n.reason]),
      );
  for (const i of p.idle) out += `\nidle: ${i.namespace}/${i.name}: ${i.reason}`;
  const advice = p.workloads.flatMap((w) =>
    w.containers.flatMap((c) =>
      c.probes.map((a) => `${w.namespace}/${w.kind.toLowerCase()}/${w.name} ${c.name}: ${a.advice}`),
    ),
  );
  if (advice.length > 0) out += "\nprobes:\n" + advice.map((a) => `  ${a}\n`).join("");
  if (p.skipped.length > 0)
    out +=
      "\nskipped:\n" +
      p.skipped.map((s) => `  ${s.namespace}/${s.kind.toLowerCase()}/${s.name}: ${s.reason}\n`).join("");
  const patched = p.workloads.filter((w) => w.patchBytes !== undefined);
  for (const w of patched) {
    const r = results.find((x) => x.kind === w.kind && x.namespace === w.namespace && x.name === w.name);
    out += `\n${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}: ${w.reason}\n`;
    if (dryRun) out += `strategic merge patch (field manager vigil):\n${w.patchBytes ?? ""}\n`;
    if (r !== undefined) out += `${r.action}: ${r.why}\n`;
  }
  if (patched.length > 0 && !dryRun && results.every((r) => r.action === "notApplied"))
    out += "\nsee the exact patches with --dry-run; apply them with --apply\n";
  return out;
}

async function runLive(f: Flags, ctx: CliContext): Promise<void> {
  const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
  const namespace = f.namespace ?? contextNamespace(kc);
  const scope: Scope = f.allNamespaces === true ? { all: true } : { all: false, namespace };
  const c = { kc, signal: ctx.signal };
  const target = f.target === undefined ? undefined : parseTarget(f.target);
  if (target?.kind === "Pod") {
    const pod = await podOwner(c, namespace, target.name);
    const o = pod.owner;
    throw new VigilError(
      "NotAWorkload",
      o === undefined
        ? `pod ${namespace}/${target.name} is a bare pod (no owning workload): Vigil never patches pods`
        : `pod ${namespace}/${target.name} belongs to ${o.kind.toLowerCase()}/${o.name}: Vigil patches the workload's template, not pods`,
      o === undefined
        ? { hint: "put it in a Deployment (or StatefulSet) to right-size it" }
        : { hint: `run: vigil recommend ${o.kind.toLowerCase()}/${o.name} -n ${namespace}` },
    );
  }
  const input = await collect(c, scope, {
    selector: f.selector,
    sampleSeconds: f.sample,
    intervalSeconds: f.interval,
    now: () => Date.now() / 1000,
    progress: (done, total) => {
      ctx.err(`sampling metrics.k8s.io ${done}/${total}\n`);
    },
    warn: (m) => {
      ctx.err(`warning: ${m}\n`);
    },
    prometheus:
      f.prometheusUrl === undefined
        ? undefined
        : { url: f.prometheusUrl, historySeconds: f.history ?? 7 * rs.DAY },
  });
  const scoped =
    target === undefined
      ? input
      : {
          ...input,
          workloads: input.workloads.filter((w) => w.kind === target.kind && w.name === target.name),
        };
  if (target !== undefined && scoped.workloads.length === 0)
    throw new KubeError(
      "NotFound",
      `${target.kind.toLowerCase()}/${target.name} not found in namespace ${namespace}`,
      404,
    );
  const opts: PlanOptions = {
    recommend: {
      ...rs.RECOMMEND_DEFAULTS,
      pricing: { ...rs.DEFAULT_PRICING, cpuPerCoreHour: f.cpuPrice, memoryPerGiBHour: f.memoryPrice },
    },
    minChange: f.minChange,
    explicitApply: f.apply === true,
  };
  const plan = planLive(scoped, opts);
  const results: ApplyResult[] = [];
  for (const w of plan.workloads) {
    if (w.patchBytes === undefined) continue;
    const id = { kind: w.kind, namespace: w.namespace, name: w.name };
    const send = f.dryRun === true || w.apply.allowed;
    if (!send) {
      results.push({ ...id, action: "notApplied", why: w.apply.why });
      continue;
    }
    try {
      await sendPatch(c, w, f.dryRun === true);
      results.push(
        f.dryRun === true
          ? {
              ...id,
              action: "serverDryRun",
              why: `accepted by the apiserver (dryRun=All); would apply: ${w.apply.allowed ? w.apply.why : `no (${w.apply.why})`}`,
            }
          : { ...id, action: "applied", why: w.apply.why },
      );
    } catch (err) {
      if (!(err instanceof VigilError)) throw err;
      results.push({
        ...id,
        action: "failed",
        why: err.message + (err.hint !== undefined ? ` (${err.hint})` : ""),
      });
    }
  }
  if (f.output === "table") ctx.out(renderLiveTable(plan, results, f.dryRun === true));
  else ctx.out(renderData(f.output, finiteJson({ ...plan, results })));
  const failed = results.filter((r) => r.action === "failed");
  if (failed.length > 0)
    throw new VigilError(
      "PatchFailed",
      `${failed.length} of ${results.length} patches failed: ${failed.map((r) => `${r.kind.toLowerCase()}/${r.name}: ${r.why}`).join("; ")}`,
    );
}

/** JSON-friendly: infinite bounds become null. */
function finiteJson(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
}

async function runFile(f: Flags & { usage: string }, ctx: CliContext): Promise<void> {
  const source = usageFileSource(f.usage);
  const traces = await source.load(ctx.signal);
  const opts: rs.RecommendOptions = {
    ...rs.RECOMMEND_DEFAULTS,
    pricing: { ...rs.DEFAULT_PRICING, cpuPerCoreHour: f.cpuPrice, memoryPerGiBHour: f.memoryPrice },
    currentLimits: { cpu: f.cpuLimit, mem: f.memoryLimit },
  };
  const reports = traces.map((t) => rs.recommendTrace(t, opts));
  if (f.output !== "table") {
    ctx.out(
      renderData(
        f.output,
        reports.length === 1 ? finite(reports[0] as rs.RecommendReport) : reports.map(finite),
      ),
    );
    return;
  }
  ctx.out(reports.map(renderRecommendTable).join("\n"));
}

export const recommendCommand: CommandSpec = {
  name: "recommend",
  register(program: Command, ctx: CliContext) {
    program
      .command("recommend [workload]")
      .description(
        "recommend CPU and memory requests and limits (VPA baseline and Vigil) from live usage or a usage file; --dry-run shows the patch, --apply sends it",
      )
      .option("-n, --namespace <namespace>", "one namespace (default: the context's namespace)")
      .option("-A, --all-namespaces", "every namespace")
      .option("-l, --selector <selector>", "workloads whose labels match, e.g. app=shop")
      .option("--sample <duration>", "how long to sample metrics.k8s.io", "60s")
      .option("--interval <duration>", "time between two samples", "15s")
      .option("--prometheus-url <url>", "read each container's usage history from Prometheus instead")
      .option("--history <duration>", "with --prometheus-url: how much history (default 7d)")
      .option(
        "--apply",
        "patch each workload's template (otherwise only where a HealingPolicy is in Auto mode)",
      )
      .option("--dry-run", "print the exact patches and send them with dryRun=All; change nothing")
      .option("--min-change <fraction>", "resize only when a value moves by more than this", "0.1")
      .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
      .option("--context <name>", "kubeconfig context")
      .option(
        "--usage <file>",
        "offline: CSV ts,cpu,mem[,cpu_request,mem_request] (unix seconds, cores, bytes)",
      )
      .option("--cpu-limit <cores>", "with --usage: the container's current CPU limit, for the QoS class")
      .option(
        "--memory-limit <bytes>",
        "with --usage: the container's current memory limit, for the QoS class",
      )
      .option("--cpu-price <x>", "per vCPU-hour", String(rs.DEFAULT_PRICING.cpuPerCoreHour))
      .option("--memory-price <x>", "per GiB-hour", String(rs.DEFAULT_PRICING.memoryPerGiBHour))
      .option("-o, --output <format>", "table, json or yaml", "table")
      .action(async (target: string | undefined, raw: Record<string, unknown>) => {
        const r = Flags.safeParse({ ...raw, target });
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        if (f.usage !== undefined) {
          if (f.apply === true || f.dryRun === true || f.target !== undefined)
            throw new VigilError(
              "Usage",
              "--usage is offline: it cannot be combined with a workload, --apply or --dry-run",
            );
          await runFile({ ...f, usage: f.usage }, ctx);
          return;
        }
        await runLive(f, ctx);
      });
  },
};

/**
 * @module
 * `vigil incidents [list | show ID] [-o table|json|yaml]`: incidents with their root cause and timeline.
 * From the cluster (Incident custom resources, vigil.dev/v1alpha1) or, with `--from FILE`, from a recorded
 * signal stream correlated offline (the same pure code the operator runs), optionally with `--history FILE`
 * (past incidents) for recurrence.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import * as incident from "../../incident/index.js";
import { contextNamespace, expectOk, loadKubeConfig, rawRequest } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { OutputFormat, renderData, renderTable } from "../output.js";
import { explainFindings } from "./ask.js";

const Flags = z.object({
  from: z.string().min(1).optional(),
  history: z.string().min(1).optional(),
  now: z.iso.datetime({ offset: true }).optional(),
  namespace: z.string().min(1).max(63).optional(),
  allNamespaces: z.boolean().optional(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  output: OutputFormat,
  explain: z.boolean().optional(),
});
type Flags = z.output<typeof Flags>;

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new VigilError("InvalidInput", `cannot read ${what} ${path}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VigilError("InvalidInput", `${path}: not JSON`, { cause: err });
  }
}

/** Correlates a recorded stream (`Recording` JSON) as of `--now` (default: the end of the recording). */
export function incidentsFromFile(
  path: string,
  historyPath?: string,
  now?: string,
): readonly incident.Incident[] {
  const r = incident.Recording.safeParse(readJson(path, "recording"));
  if (!r.success)
    throw new VigilError("InvalidInput", `${path}: not a signal recording: ${z.prettifyError(r.error)}`, {
      hint: "the file holds {startedAt, endedAt, owners, signals}; see docs/incidents.md",
    });
  const at = new Date(now ?? r.data.endedAt);
  if (Number.isNaN(at.getTime())) throw new VigilError("InvalidInput", `${path}: endedAt is not a time`);
  const found = incident.correlate(
    at,
    r.data.signals,
    incident.ownerMap(r.data.owners),
    incident.defaultIncidentConfig,
  );
  if (historyPath === undefined) return found;
  const h = incident.History.safeParse(readJson(historyPath, "history"));
  if (!h.success)
    throw new VigilError(
      "InvalidInput",
      `${historyPath}: not an incident history: ${z.prettifyError(h.error)}`,
    );
  return incident.recall(found, h.data);
}

async function incidentsFromCluster(f: Flags, ctx: CliContext): Promise<readonly incident.Incident[]> {
  const kc = loadKubeConfig({
    kubeconfig: f.kubeconfig ?? ctx.cfg.kubeconfigEnv?.split(":")[0],
    context: f.context,
  });
  const ns = f.namespace ?? contextNamespace(kc);
  const path =
    f.allNamespaces === true
      ? "/apis/vigil.dev/v1alpha1/incidents"
      : `/apis/vigil.dev/v1alpha1/namespaces/${encodeURIComponent(ns)}/incidents`;
  const res = await rawRequest(kc, "GET", `${path}?limit=500`, { signal: ctx.signal });
  if (res.status === 404)
    throw new VigilError("NotFound", "the cluster has no Incident resource type (vigil.dev/v1alpha1)", {
      hint: "install the CRDs (kubectl apply -f deploy/crds/) or read a recording with --from FILE",
    });
  const body = expectOk(res, "list", "incidents") as { items?: unknown[]; metadata?: { continue?: string } };
  const out: incident.Incident[] = [];
  for (const item of body.items ?? []) {
    const r = incident.fromResource(item);
    if (r.kind === "ok") out.push(r.incident);
    else ctx.err(`vigil: skipping Incident ${r.name}: not valid\n`);
  }
  if (body.metadata?.continue !== undefined && body.metadata.continue !== "")
    ctx.err("vigil: more than 500 incidents; showing the first 500\n");
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}

function duration(i: incident.Incident, now: number): string {
  const end = i.resolvedAt !== undefined ? Date.parse(i.resolvedAt) : now;
  const s = Math.max(0, Math.round((end - Date.parse(i.startedAt)) / 1000));
  return incident.humanSeconds(s);
}

function subjectText(i: incident.Incident): string {
  const r = i.subject;
  return r.namespace === "" ? `${r.kind}/${r.name}` : `${r.kind}/${r.namespace}/${r.name}`;
}

export function renderList(list: readonly incident.Incident[], now: number): string {
  if (list.length === 0) return "No incidents.\n";
  return renderTable(
    ["id", "severity", "status", "subject", "root cause", "started", "duration", "signals", "notes"],
    list.map((i) => [
      i.id,
      i.severity,
      i.status,
      subjectText(i),
      i.rootCauses[0]?.code ?? "-",
      i.startedAt.slice(0, 19).replace("T", " "),
      duration(i, now),
      String(
        i.signals.events +
          i.signals.findings +
          i.signals.alerts +
          i.signals.anomalies +
          i.signals.logs +
          i.signals.actions,
      ),
      [i.fixedBy !== undefined ? `fixed by ${i.fixedBy}` : "", i.recurrence !== undefined ? "recurring" : ""]
        .filter((x) => x !== "")
        .join("; "),
    ]),
  );
}

async function load(f: Flags, ctx: CliContext): Promise<{ list: readonly incident.Incident[]; now: number }> {
  if (f.from !== undefined) {
    const list = incidentsFromFile(f.from, f.history, f.now);
    const last = list.reduce((m, i) => Math.max(m, Date.parse(i.resolvedAt ?? i.lastSignalAt)), 0);
    return { list, now: f.now !== undefined ? Date.parse(f.now) : last };
  }
  return { list: await incidentsFromCluster(f, ctx), now: Date.now() };
}

function parse(raw: unknown): Flags {
  const r = Flags.safeParse(raw);
  if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
  return r.data;
}

function common(c: Command): Command {
  return c
    .option("--from <file>", "correlate a recorded signal stream (JSON) instead of reading the cluster")
    .option("--history <file>", "past incidents (JSON array) for recurrence, with --from")
    .option("--now <time>", "evaluate the recording at this RFC 3339 time (default: its end)")
    .option("-n, --namespace <ns>", "namespace of the Incident resources (default: the context's)")
    .option("-A, --all-namespaces", "Incident resources in every namespace")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("-o, --output <format>", "table|json|yaml", "table")
    .option(
      "--explain",
      "(show) explain the incident in plain language: a model if configured, else Vigil's own words",
    );
}

export const incidentsCommand: CommandSpec = {
  name: "incidents",
  register(program: Command, ctx: CliContext) {
    const cmd = program
      .command("incidents")
      .description("list incidents (correlated problems with root cause and timeline), or show one");
    const list = common(cmd.command("list", { isDefault: true }).description("list incidents"));
    list.action(async (raw: unknown) => {
      const f = parse(raw);
      const { list: found, now } = await load(f, ctx);
      ctx.out(f.output === "table" ? renderList(found, now) : renderData(f.output, found));
    });
    const show = common(
      cmd.command("show").argument("<id>").description("show one incident with its timeline"),
    );
    show.action(async (id: string, raw: unknown) => {
      const f = parse(raw);
      const { list: found } = await load(f, ctx);
      const i = found.find((x) => x.id === id);
      if (i === undefined)
        throw new VigilError("NotFound", `no incident ${id}`, {
          hint:
            found.length > 0
              ? `known: ${found
                  .map((x) => x.id)
                  .slice(0, 10)
                  .join(", ")}`
              : "there are no incidents",
        });
      ctx.out(f.output === "table" ? incident.incidentText(i) : renderData(f.output, i));
      if (f.explain === true) {
        // The model (or Vigil's own words) gets the incident first: root causes, then the timeline.
        const views = i.rootCauses.map((c, n) => ({
          severity: i.severity,
          kind: c.object.kind,
          namespace: c.object.namespace,
          name: c.object.name,
          reason: c.code,
          message: n === 0 ? `${i.title}: ${c.summary}` : c.summary,
          evidence: [
            ...c.evidence.slice(0, 5).map((e) => `${e.at} ${e.message}`),
            ...(n === 0 ? i.timeline.slice(-15).map((t) => `${t.at} ${t.kind}: ${t.text}`) : []),
          ],
          suggestion: i.recommended?.summary ?? i.fixedBy ?? "",
        }));
        const namespace = i.subject.namespace === "" ? undefined : i.subject.namespace;
        ctx.out(
          "\n" +
            (await explainFindings(views, { kubeconfig: f.kubeconfig, context: f.context, namespace }, ctx)),
        );
      }
    });
  },
};

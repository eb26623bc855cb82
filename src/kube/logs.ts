/**
 * @module
 * Pod logs through the Kubernetes API, always bounded: `pod/NAME`, or every pod of `deployment/NAME`
 * labelled by pod; the current or the previous container; since, tail and follow; and `limitBytes` on
 * every request, so no read is ever unbounded. client-node supplies the kubeconfig, the TLS material, the
 * credentials and the proxy agent; the log request itself is a plain `node:https` stream, because
 * client-node's `Log` helper drops the apiserver's error message and the network error's code, and does not
 * end its output when a response fails midway.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { StringDecoder } from "node:string_decoder";
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { VigilError } from "../model/index.js";
import { KubeError, type KubeReason, toKubeError } from "./errors.js";

export type LogTargetKind = "pod" | "deployment";

export interface LogTarget {
  readonly kind: LogTargetKind;
  readonly namespace: string;
  readonly name: string;
  /** The container; by default the pod's `kubectl.kubernetes.io/default-container` or its first one. */
  readonly container?: string | undefined;
}

export interface PodLogOptions {
  /** The previous (terminated) container instance, as `kubectl logs --previous`. */
  readonly previous: boolean;
  /** Keep the streams open for new lines until the signal aborts or the byte budget is spent. */
  readonly follow: boolean;
  readonly sinceSeconds?: number | undefined;
  readonly tailLines?: number | undefined;
  /** The byte budget over all pods. Every request carries `limitBytes`; reading stops at the budget. */
  readonly maxBytes: number;
  /** Pods of a deployment read at most (the oldest first). */
  readonly maxPods?: number | undefined;
  /** Without follow: give up on a request that sends nothing for this long. */
  readonly idleTimeoutMs?: number | undefined;
}

/** One container's stream: the label its lines carry is `pod/NAME` (plus `/CONTAINER` when chosen). */
export interface PodStream {
  readonly pod: string;
  readonly container: string;
}

export interface LogLine {
  /** Which pod the line came from (`pod/NAME`). */
  readonly source: string;
  readonly text: string;
}

/** Lines of one or more pods; `truncated` and `skipped` are final once the iteration ended. */
export interface PodLogReader {
  readonly streams: readonly PodStream[];
  lines(signal: AbortSignal): AsyncIterable<LogLine>;
  /** True once reading stopped at the byte budget (or the server's `limitBytes`). */
  readonly truncated: boolean;
  /** Pods of a deployment whose logs could not be read (not started, no previous container), with why. */
  readonly skipped: readonly { readonly pod: string; readonly reason: string }[];
}

const DEFAULT_MAX_PODS = 50;
const DEFAULT_IDLE_MS = 30_000;
const MAX_ERROR_BODY = 64 * 1024;
const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

/** `pod/x`, `po/x`, `pods/x`, `deployment/x`, `deploy/x`, `deployments/x`; undefined for anything else. */
export function parseLogTarget(
  s: string,
): { readonly kind: LogTargetKind; readonly name: string } | undefined {
  const m = /^(pod|pods|po|deployment|deployments|deploy)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(s);
  if (m === null) return undefined;
  const name = m[2] ?? "";
  return { kind: m[1]?.startsWith("d") === true ? "deployment" : "pod", name };
}

/** The namespace of the kubeconfig's current context, else `default` (as kubectl). */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

function containerOf(pod: V1Pod, wanted: string | undefined): string {
  const names = pod.spec?.containers.map((c) => c.name) ?? [];
  const podName = pod.metadata?.name ?? "?";
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new KubeError(
        "NotFound",
        `container "${wanted}" is not in pod ${podName} (it has ${names.join(", ")})`,
        undefined,
      );
    }
    return wanted;
  }
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  const first = names[0];
  if (first === undefined) throw new KubeError("Invalid", `pod ${podName} has no containers`, undefined);
  return first;
}

function selectorString(sel: {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: readonly { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${vals})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else throw new KubeError("Invalid", `unknown label selector operator ${e.operator}`, undefined);
  }
  return parts.join(",");
}

const created = (p: V1Pod) => p.metadata?.creationTimestamp?.getTime() ?? 0;

/** The pods (and containers) a target reads, oldest first; checks that they exist. */
async function resolvePodStreams(
  kc: KubeConfig,
  target: LogTarget,
  maxPods = DEFAULT_MAX_PODS,
): Promise<{ streams: PodStream[]; skipped: { pod: string; reason: string }[] }> {
  const core = kc.makeApiClient(CoreV1Api);
  const ns = target.namespace;
  if (target.kind === "pod") {
    let pod: V1Pod;
    try {
      pod = await core.readNamespacedPod({ name: target.name, namespace: ns });
    } catch (err) {
      throw toKubeError(err, "get", `pod ${ns}/${target.name}`);
    }
    return { streams: [{ pod: target.name, container: containerOf(pod, target.container) }], skipped: [] };
  }
  const apps = kc.makeApiClient(AppsV1Api);
  let selector: string;
  try {
    const d = await apps.readNamespacedDeployment({ name: target.name, namespace: ns });
    selector = selectorString(d.spec?.selector ?? {});
  } catch (err) {
    throw toKubeError(err, "get", `deployment ${ns}/${target.name}`);
  }
  if (selector === "") {
    throw new KubeError("Invalid", `deployment ${ns}/${target.name} has an empty selector`, undefined);
  }
  const pods: V1Pod[] = [];
  let cont: string | undefined;
  try {
    do {
      const page = await core.listNamespacedPod({
        namespace: ns,
        labelSelector: selector,
        limit: 500,
        ...(cont !== undefined ? { _continue: cont } : {}),
      });
      pods.push(...page.items);
      cont = page.metadata?._continue;
    } while (cont !== undefined && cont !== "");
  } catch (err) {
    throw toKubeError(err, "list", `pods of deployment ${ns}/${target.name}`);
  }
  if (pods.length === 0) {
    throw new KubeError("NotFound", `deployment ${ns}/${target.name} has no pods`, 404, {
      hint: `check its rollout: kubectl -n ${ns} rollout status deployment/${target.name}`,
    });
  }
  pods.sort(
    (a, b) => created(a) - created(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
  );
  const skipped = pods
    .slice(maxPods)
    .map((p) => ({ pod: p.metadata?.name ?? "?", reason: `more than ${maxPods} pods` }));
  const streams = pods
    .slice(0, maxPods)
    .map((p) => ({ pod: p.metadata?.name ?? "?", container: containerOf(p, target.container) }));
  return { streams, skipped };
}

/** The log URL of one container; every option the apiserver knows, with limitBytes always set. */
export function podLogUrl(
  server: string,
  req: PodLogOptions & {
    readonly namespace: string;
    readonly stream: PodStream;
    readonly limitBytes: number;
  },
): URL {
  const { namespace, stream: s, ...o } = req;
  const base = new URL(server);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(s.pod)}/log`;
  const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
  const q = url.searchParams;
  q.set("container", s.container);
  q.set("limitBytes", String(Math.max(1, Math.floor(o.limitBytes))));
  if (o.previous) q.set("previous", "true");
  if (o.follow) q.set("follow", "true");
  if (o.sinceSeconds !== undefined) q.set("sinceSeconds", String(o.sinceSeconds));
  if (o.tailLines !== undefined) q.set("tailLines", String(o.tailLines));
  return url;
}

async function readBounded(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (n < max) chunks.push(c.subarray(0, max - n));
    n += c.length;
    if (n >= max) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

function statusMessage(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === "object" && v !== null && "message" in v && typeof v.message === "string")
      return v.message;
  } catch {
    // not a Status object
  }
  return undefined;
}

const REASON_BY_STATUS: Readonly<Record<number, KubeReason>> = {
  400: "Invalid",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  504: "Timeout",
};

/** Opens one log request; resolves with the 200 response, or rejects with a KubeError. */
async function openLog(
  kc: KubeConfig,
  req: { readonly url: URL; readonly what: string; readonly idleMs: number | undefined },
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const { url, what, idleMs } = req;
  const opts: RequestOptions = { method: "GET", headers: { Accept: "*/*" }, signal };
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    throw toKubeError(err, "authenticate for", what);
  }
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, opts, resolve);
    req.once("error", reject);
    req.setTimeout(idleMs ?? DEFAULT_IDLE_MS, () => {
      req.destroy(Object.assign(new Error("log request timed out"), { code: "ETIMEDOUT" }));
    });
    req.once("response", () => {
      if (idleMs === undefined) req.setTimeout(0); // follow: a quiet pod is not an error
    });
    req.end();
  }).catch((err: unknown) => {
    throw toKubeError(err, "read logs of", what);
  });
  const status = res.statusCode ?? 0;
  if (status === 200) return res;
  const body = await readBounded(res, MAX_ERROR_BODY).catch(() => "");
  res.destroy();
  const reason = REASON_BY_STATUS[status] ?? "Unknown";
  throw new KubeError(reason, `read logs of ${what}: ${statusMessage(body) ?? `HTTP ${status}`}`, status, {
    ...(reason === "Forbidden"
      ? { hint: "the identity in your kubeconfig needs get on pods/log (and get/list on pods, deployments)" }
      : {}),
  });
}

/** A shared byte budget; `take` says whether a line still fits. */
interface Budget {
  left: number;
  truncated: boolean;
}

/** Lines of one container's log; stops at the budget, at `limitBytes`, at the end or when aborted. */
async function* streamLines(
  kc: KubeConfig,
  r: {
    readonly namespace: string;
    readonly stream: PodStream;
    readonly opts: PodLogOptions;
    readonly limitBytes: number;
    readonly budget: Budget;
  },
  signal: AbortSignal,
): AsyncGenerator<LogLine> {
  const { namespace, stream: s, opts: o, limitBytes, budget } = r;
  const url = podLogUrl(kc.getCurrentCluster()?.server ?? "", { ...o, namespace, stream: s, limitBytes });
  const what = `pod ${namespace}/${s.pod} container ${s.container}${o.previous ? " (previous)" : ""}`;
  let res: IncomingMessage;
  try {
    res = await openLog(
      kc,
      { url, what, idleMs: o.follow ? undefined : (o.idleTimeoutMs ?? DEFAULT_IDLE_MS) },
      signal,
    );
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  const source = `pod/${s.pod}`;
  const dec = new StringDecoder("utf8");
  let rest = "";
  let received = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      const parts = (rest + dec.write(chunk)).split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) {
        const text = p.endsWith("\r") ? p.slice(0, -1) : p;
        const cost = Buffer.byteLength(text, "utf8") + 1;
        if (cost > budget.left) {
          budget.truncated = true;
          budget.left = 0;
          return;
        }
        budget.left -= cost;
        yield { source, text };
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw toKubeError(err, "read logs of", what);
  } finally {
    res.destroy();
  }
  // A last line without a newline is whole unless the server cut it at limitBytes.
  rest += dec.end();
  if (received >= limitBytes) budget.truncated = true;
  else if (rest !== "" && Buffer.byteLength(rest, "utf8") <= budget.left) {
    budget.left -= Buffer.byteLength(rest, "utf8");
    yield { source, text: rest };
  }
}

/** Messages of a 400 that mean "this pod has no such log (yet)": skipped for a deployment, fatal for a pod. */
function isNoLog(err: unknown): err is KubeError {
  return err instanceof KubeError && (err.status === 400 || err.status === 404);
}

/** Interleaves async iterables as their items arrive (follow mode over several pods). */
async function* merge<T>(its: readonly AsyncIterator<T>[]): AsyncGenerator<T> {
  const next = (i: number) => (its[i] as AsyncIterator<T>).next().then((r) => ({ i, r }));
  const pending = new Map(its.map((_, i) => [i, next(i)] as const));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done === true) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      yield r.value;
    }
  } finally {
    // The caller aborts the streams; what they still settle with is of no interest.
    for (const p of pending.values()) p.catch(() => undefined);
  }
}

/**
 * Reads the logs of a pod or of every pod of a deployment (oldest first; in follow mode all at once).
 * Resolving the target throws a KubeError (NotFound, Forbidden, Unreachable …) before any line is read.
 */
export async function podLogReader(
  kc: KubeConfig,
  target: LogTarget,
  o: PodLogOptions,
): Promise<PodLogReader> {
  if (!(o.maxBytes >= 1)) throw new VigilError("Invariant", "pod logs need a byte budget");
  const { streams, skipped } = await resolvePodStreams(kc, target, o.maxPods ?? DEFAULT_MAX_PODS);
  const budget: Budget = { left: o.maxBytes, truncated: false };
  const single = target.kind === "pod";
  return {
    streams,
    skipped,
    get truncated() {
      return budget.truncated;
    },
    async *lines(outer: AbortSignal) {
      const stop = new AbortController();
      const signal = AbortSignal.any([outer, stop.signal]);
      const guarded = async function* (s: PodStream, limit: number): AsyncGenerator<LogLine> {
        try {
          yield* streamLines(
            kc,
            { namespace: target.namespace, stream: s, opts: o, limitBytes: limit, budget },
            signal,
          );
        } catch (err) {
          if (single || !isNoLog(err)) throw err;
          skipped.push({ pod: s.pod, reason: err.message });
        }
      };
      try {
        if (!o.follow) {
          for (const s of streams) {
            if (budget.left <= 0 || signal.aborted) break;
            yield* guarded(s, budget.left);
          }
          return;
        }
        const per = Math.max(1, Math.floor(o.maxBytes / streams.length));
        yield* merge(streams.map((s) => guarded(s, per)));
      } finally {
        stop.abort();
      }
    },
  };
}

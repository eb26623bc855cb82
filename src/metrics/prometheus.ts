/**
 * @module
 * A small Prometheus HTTP API client: range queries (`/api/v1/query_range`), split into windows of at
 * most 10,000 steps (the server refuses more than 11,000 points per series). Several result series are
 * summed per timestamp. Bodies are read up to a cap.
 */
import { VigilError } from "../model/index.js";
import type * as fc from "../forecast/index.js";
import type { WorkloadRef } from "./checkpoint.js";

const MAX_BODY = 16 * 1024 * 1024;
const MAX_STEPS_PER_QUERY = 10_000;

export interface RangeQuery {
  readonly query: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
}

interface MatrixBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; values?: [number, string][] }[] };
}

async function readCapped(res: Response): Promise<string> {
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel();
      throw new VigilError("PrometheusError", `Prometheus response exceeds ${MAX_BODY} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function queryWindow(
  baseUrl: string,
  q: RangeQuery,
  signal: AbortSignal | undefined,
  into: Map<number, number>,
): Promise<void> {
  const url = new URL("api/v1/query_range", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const form = new URLSearchParams({
    query: q.query,
    start: String(q.start),
    end: String(q.end),
    step: `${q.stepSeconds}s`,
  });
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      ...(signal !== undefined ? { signal } : {}),
    });
  } catch (err) {
    throw new VigilError("PrometheusUnreachable", `cannot reach Prometheus at ${url.origin}`, {
      cause: err,
      hint: "check --prometheus-url",
    });
  }
  const text = await readCapped(res);
  let body: MatrixBody;
  try {
    body = JSON.parse(text) as MatrixBody;
  } catch (err) {
    throw new VigilError("PrometheusError", `Prometheus answered HTTP ${res.status} without JSON`, {
      cause: err,
    });
  }
  if (body.status !== "success") {
    throw new VigilError(
      "PrometheusError",
      `Prometheus refused the query (${body.errorType ?? `HTTP ${res.status}`}): ${(body.error ?? "").slice(0, 300)}`,
    );
  }
  if (body.data?.resultType !== "matrix")
    throw new VigilError(
      "PrometheusError",
      `expected a range vector, got ${body.data?.resultType ?? "nothing"}`,
    );
  for (const series of body.data.result ?? []) {
    for (const [t, v] of series.values ?? []) {
      const x = Number(v);
      if (!Number.isFinite(x)) continue; // NaN from a division by zero: no data at that step
      into.set(t, (into.get(t) ?? 0) + x);
    }
  }
}

/** Runs a range query; returns one series (several result series summed per timestamp), oldest first. */
export async function queryRange(baseUrl: string, q: RangeQuery, signal?: AbortSignal): Promise<fc.Sample[]> {
  if (!(q.stepSeconds > 0) || q.end < q.start)
    throw new VigilError("Usage", "a range query needs start <= end and a positive step");
  const sums = new Map<number, number>();
  const span = MAX_STEPS_PER_QUERY * q.stepSeconds;
  for (let s = q.start; s <= q.end; s += span + q.stepSeconds) {
    await queryWindow(baseUrl, { ...q, start: s, end: Math.min(q.end, s + span) }, signal, sums);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

function quote(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * The default PromQL for a workload's CPU in millicores: the cAdvisor/kubelet counter summed over the
 * workload's pods (matched by name, as the pods carry no owner label in these metrics). The rate window
 * follows the step (at least 30 s, twice the step: 2m at the default 60 s).
 */
export function cpuQuery(w: WorkloadRef, stepSeconds = 60): string {
  const suffix = w.kind === "StatefulSet" ? "[0-9]+" : "[a-z0-9]+-[a-z0-9]+";
  const name = w.name.replace(/[.]/g, "\\\\.");
  const win = Math.max(30, Math.round(2 * stepSeconds));
  const range = win % 60 === 0 ? `${win / 60}m` : `${win}s`;
  return `sum(rate(container_cpu_usage_seconds_total{namespace="${quote(w.namespace)}",pod=~"${name}-${suffix}",container!=""}[${range}])) * 1000`;
}

/**
 * Reads log lines from Loki through LogQL range queries (`GET /loki/api/v1/query_range`, direction
 * forward), page by page. Each page asks for at most `pageLimit` entries; the next page starts at the last
 * timestamp seen, and entries at that exact timestamp that the previous page already returned are skipped
 * (several streams can share a nanosecond). Everything is bounded: bytes of lines, lines, pages, the size
 * of one response body, and the time of one request.
 */
import { VigilError } from "../model/index.js";

export class LokiError extends VigilError {
  readonly status: number | undefined;
  constructor(
    code: string,
    message: string,
    status: number | undefined,
    options?: ErrorOptions & { hint?: string },
  ) {
    super(`Loki${code}`, message, options);
    this.status = status;
  }
}

export interface LokiQuery {
  /** Loki's base URL, e.g. `http://127.0.0.1:3100` (a path prefix is kept). */
  readonly url: string;
  /** A LogQL log query: `{app="api"} |= "error"`. Metric queries are refused. */
  readonly query: string;
  readonly start: Date;
  readonly end: Date;
  /** Budget of line bytes (UTF-8, plus one per line); reading stops there and says `truncated`. */
  readonly maxBytes: number;
  readonly maxLines?: number | undefined;
  /** Entries per request (Loki's default `max_entries_limit_per_query` is 5000). */
  readonly pageLimit?: number | undefined;
  readonly maxPages?: number | undefined;
  /** Largest response body accepted. */
  readonly maxPageBytes?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** Sent as `X-Scope-OrgID` for multi-tenant Loki. */
  readonly orgId?: string | undefined;
}

export interface LokiLine {
  /** The stream's labels, `{app="api",pod="api-1"}`. */
  readonly source: string;
  readonly text: string;
  /** Unix nanoseconds, as Loki sends them. */
  readonly ts: string;
}

export interface LokiReader {
  readonly name: string;
  lines(signal: AbortSignal): AsyncIterable<LokiLine>;
  /** True once reading stopped at a bound (bytes, lines or pages) before the range was exhausted. */
  readonly truncated: boolean;
  readonly pages: number;
  /** Nanoseconds at which more than `pageLimit` entries collided: the rest of them were skipped. */
  readonly gaps: number;
}

const DEFAULTS = {
  maxLines: 5_000_000,
  pageLimit: 1000,
  maxPages: 10_000,
  maxPageBytes: 64 * 1024 * 1024,
  timeoutMs: 60_000,
} as const;
const MAX_ERROR_TEXT = 2048;

const ns = (d: Date) => BigInt(d.getTime()) * 1_000_000n;

export function queryRangeUrl(
  base: string,
  page: { readonly query: string; readonly start: bigint; readonly end: bigint; readonly limit: number },
): URL {
  const { query, start, end, limit } = page;
  const b = new URL(base);
  const url = new URL(`${b.pathname.replace(/\/$/, "")}/loki/api/v1/query_range`, b);
  url.searchParams.set("query", query);
  url.searchParams.set("start", start.toString());
  url.searchParams.set("end", end.toString());
  url.searchParams.set("limit", String(limit));
  url.searchParams.set("direction", "forward");
  return url;
}

function labelString(labels: unknown): string {
  if (typeof labels !== "object" || labels === null) return "{}";
  const parts = Object.entries(labels)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(",")}}`;
}

async function readCapped(res: Response, max: number, what: string): Promise<string> {
  const body = res.body;
  if (body === null) return "";
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > max) {
        throw new LokiError("PageTooLarge", `${what}: response larger than ${max} bytes`, res.status, {
          hint: "narrow the query or the time range",
        });
      }
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString("utf8");
}

interface Entry {
  readonly source: string;
  readonly ts: bigint;
  readonly tsText: string;
  readonly text: string;
}

/** Parses a `query_range` answer into entries sorted by time (stable over streams). */
function parsePage(body: string, what: string): Entry[] {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (err) {
    throw new LokiError("BadResponse", `${what}: the answer is not JSON`, undefined, { cause: err });
  }
  const data = typeof v === "object" && v !== null && "data" in v ? v.data : undefined;
  if (typeof data !== "object" || data === null || !("resultType" in data) || !("result" in data)) {
    throw new LokiError("BadResponse", `${what}: the answer has no data.result`, undefined);
  }
  if (data.resultType !== "streams") {
    throw new LokiError(
      "NotALogQuery",
      `${what}: a ${String(data.resultType)} result is not log lines`,
      undefined,
      {
        hint: 'give a log query such as {app="api"}, not a metric query',
      },
    );
  }
  const out: Entry[] = [];
  for (const s of Array.isArray(data.result) ? (data.result as unknown[]) : []) {
    if (typeof s !== "object" || s === null || !("values" in s) || !Array.isArray(s.values)) continue;
    const source = labelString("stream" in s ? s.stream : undefined);
    for (const pair of s.values as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") continue;
      out.push({ source, ts: BigInt(pair[0]), tsText: pair[0], text: pair[1] });
    }
  }
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

const keyOf = (e: Entry) => `${e.source}\u0000${e.text}`;

/** A paginated, bounded reader of one LogQL query over [start, end]. */
export function lokiReader(q: LokiQuery): LokiReader {
  if (!(q.maxBytes >= 1)) throw new VigilError("Invariant", "a Loki query needs a byte budget");
  const pageLimit = q.pageLimit ?? DEFAULTS.pageLimit;
  const maxLines = q.maxLines ?? DEFAULTS.maxLines;
  const maxPages = q.maxPages ?? DEFAULTS.maxPages;
  const maxPageBytes = q.maxPageBytes ?? DEFAULTS.maxPageBytes;
  const timeoutMs = q.timeoutMs ?? DEFAULTS.timeoutMs;
  const host = new URL(q.url).host;
  let truncated = false;
  let pages = 0;
  let gaps = 0;

  async function fetchPage(start: bigint, end: bigint, signal: AbortSignal): Promise<Entry[]> {
    const url = queryRangeUrl(q.url, { query: q.query, start, end, limit: pageLimit });
    const what = `Loki query_range at ${host}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          Accept: "application/json",
          ...(q.orgId !== undefined ? { "X-Scope-OrgID": q.orgId } : {}),
        },
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      if (signal.aborted) throw new VigilError("Interrupted", "interrupted", { cause: err });
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new LokiError(
        timedOut ? "Timeout" : "Unreachable",
        `${what}: ${timedOut ? "timed out" : "unreachable"}`,
        undefined,
        {
          cause: err,
          hint: `is Loki running at ${q.url}? (check: curl ${new URL("/ready", q.url).href})`,
        },
      );
    }
    if (res.status !== 200) {
      const text = (await readCapped(res, MAX_ERROR_TEXT * 4, what).catch(() => ""))
        .slice(0, MAX_ERROR_TEXT)
        .trim();
      const code =
        res.status === 400 ? "BadQuery" : res.status === 401 || res.status === 403 ? "Forbidden" : "Server";
      throw new LokiError(code, `${what}: HTTP ${res.status}${text !== "" ? `: ${text}` : ""}`, res.status, {
        ...(code === "Forbidden" ? { hint: "multi-tenant Loki needs --loki-org" } : {}),
      });
    }
    return parsePage(await readCapped(res, maxPageBytes, what), what);
  }

  return {
    name: `loki:${q.query}`,
    get truncated() {
      return truncated;
    },
    get pages() {
      return pages;
    },
    get gaps() {
      return gaps;
    },
    async *lines(signal: AbortSignal) {
      const end = ns(q.end);
      let start = ns(q.start);
      let seen = new Set<string>(); // entries at `start` that the previous page returned
      let bytes = 0;
      let lines = 0;
      while (start <= end && !signal.aborted) {
        if (pages >= maxPages) {
          truncated = true;
          return;
        }
        const entries = await fetchPage(start, end, signal);
        pages++;
        let fresh = 0;
        for (const e of entries) {
          if (e.ts === start && seen.has(keyOf(e))) continue;
          fresh++;
          bytes += Buffer.byteLength(e.text, "utf8") + 1;
          if (bytes > q.maxBytes || lines >= maxLines) {
            truncated = true;
            return;
          }
          lines++;
          yield { source: e.source, text: e.text, ts: e.tsText };
        }
        const last = entries.at(-1);
        if (entries.length < pageLimit || last === undefined) return;
        if (last.ts === start && fresh === 0) {
          // A whole page at one nanosecond, all seen before: more than pageLimit entries share it.
          start += 1n;
          gaps++;
          seen = new Set();
          continue;
        }
        const atLast = entries.filter((e) => e.ts === last.ts).map(keyOf);
        seen = last.ts === start ? new Set([...seen, ...atLast]) : new Set(atLast);
        start = last.ts;
      }
    },
  };
}

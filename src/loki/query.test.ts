/**
 * Contract tests of the Loki reader against a loopback HTTP server that answers `query_range` the way
 * Loki documents it (streams grouped by label set, `limit` over all streams, `start` inclusive, `end`
 * exclusive, plain-text 400 for a bad query). The real Loki is exercised by `loki.int.test.ts`.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LokiError, lokiReader, queryRangeUrl } from "./index.js";

interface Stored {
  readonly labels: Record<string, string>;
  readonly ts: bigint;
  readonly line: string;
}

let server: Server | undefined;
const requests: URL[] = [];

afterEach(async () => {
  requests.length = 0;
  const s = server;
  server = undefined;
  if (s !== undefined)
    await new Promise((r) => {
      s.close(r);
    });
});

/** Serves `store` through `/loki/api/v1/query_range` for selectors of `k="v"` matchers. */
async function fakeLoki(
  store: readonly Stored[],
  answer?: (u: URL) => { status: number; body: string },
): Promise<string> {
  const srv = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    requests.push(u);
    const special = answer?.(u);
    if (special !== undefined) {
      res.writeHead(special.status, { "content-type": "text/plain" }).end(special.body);
      return;
    }
    const q = u.searchParams;
    const matchers = [...(q.get("query") ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    const start = BigInt(q.get("start") ?? "0");
    const end = BigInt(q.get("end") ?? "0");
    const limit = Number(q.get("limit"));
    const hits = store
      .filter((e) => e.ts >= start && e.ts < end && matchers.every(([k, v]) => e.labels[k ?? ""] === v))
      .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
      .slice(0, limit);
    const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
    for (const e of hits) {
      const k = JSON.stringify(e.labels);
      const s = streams.get(k) ?? { stream: e.labels, values: [] };
      s.values.push([e.ts.toString(), e.line]);
      streams.set(k, s);
    }
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(
        JSON.stringify({ status: "success", data: { resultType: "streams", result: [...streams.values()] } }),
      );
  });
  server = srv;
  await new Promise<void>((r) => {
    srv.listen(0, "127.0.0.1", r);
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

const T0 = new Date("2026-11-26T09:00:00Z");
const ns0 = BigInt(T0.getTime()) * 1_000_000n;
const never = new AbortController().signal;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("lokiReader", () => {
  it("pages forward through every entry once, also when streams share nanoseconds across a page edge", async () => {
    const store: Stored[] = [];
    for (let i = 0; i < 95; i++) {
      // Three streams; every timestamp is shared by all three, so page edges fall inside a nanosecond.
      for (const pod of ["a", "b", "c"]) {
        store.push({ labels: { app: "api", pod }, ts: ns0 + BigInt(i), line: `req ${i} from ${pod}` });
      }
    }
    store.push({ labels: { app: "other", pod: "z" }, ts: ns0 + 5n, line: "not selected" });
    const url = await fakeLoki(store);
    const r = lokiReader({
      url,
      query: '{app="api"}',
      start: T0,
      end: new Date(T0.getTime() + 1000),
      maxBytes: 1 << 20,
      pageLimit: 10,
    });
    const got = await all(r.lines(never));
    expect(got.length).toBe(285);
    expect(new Set(got.map((g) => `${g.ts} ${g.text}`)).size).toBe(285);
    expect(got.map((g) => BigInt(g.ts))).toEqual(
      [...got.map((g) => BigInt(g.ts))].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(got[0]?.source).toBe('{app="api",pod="a"}');
    expect(r.truncated).toBe(false);
    expect(r.gaps).toBe(0);
    expect(r.pages).toBeGreaterThan(28);
    expect(requests.every((u) => u.searchParams.get("direction") === "forward")).toBe(true);
  });

  it("skips past a nanosecond that holds more entries than a page, and counts the gap", async () => {
    const store: Stored[] = Array.from({ length: 12 }, (_, i) => ({
      labels: { app: "api", pod: `p${String(i).padStart(2, "0")}` },
      ts: ns0,
      line: "burst",
    }));
    store.push({ labels: { app: "api", pod: "p00" }, ts: ns0 + 1n, line: "after" });
    const r = lokiReader({
      url: await fakeLoki(store),
      query: '{app="api"}',
      start: T0,
      end: new Date(T0.getTime() + 1),
      maxBytes: 1 << 20,
      pageLimit: 5,
    });
    const got = await all(r.lines(never));
    expect(got.map((g) => g.text)).toEqual(["burst", "burst", "burst", "burst", "burst", "after"]);
    expect(r.gaps).toBe(1);
  });

  it("stops at the byte budget and at the line and page limits, and says truncated", async () => {
    const store = Array.from({ length: 100 }, (_, i) => ({
      labels: { app: "api" },
      ts: ns0 + BigInt(i),
      line: `line ${String(i).padStart(3, "0")}`, // 8 bytes + newline
    }));
    const url = await fakeLoki(store);
    const q = { url, query: '{app="api"}', start: T0, end: new Date(T0.getTime() + 1), pageLimit: 30 };
    const byBytes = lokiReader({ ...q, maxBytes: 90 });
    expect((await all(byBytes.lines(never))).length).toBe(10);
    expect(byBytes.truncated).toBe(true);
    const byLines = lokiReader({ ...q, maxBytes: 1 << 20, maxLines: 42 });
    expect((await all(byLines.lines(never))).length).toBe(42);
    expect(byLines.truncated).toBe(true);
    const byPages = lokiReader({ ...q, maxBytes: 1 << 20, maxPages: 2 });
    // The second page starts at the first page's last nanosecond, which it returns again (and is skipped).
    expect((await all(byPages.lines(never))).length).toBe(59);
    expect(byPages.truncated).toBe(true);
  });

  it("turns Loki's answers into clear errors", async () => {
    const url = await fakeLoki([], (u) =>
      u.searchParams.get("query") === "bad"
        ? { status: 400, body: "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER" }
        : u.searchParams.get("query")?.startsWith("rate") === true
          ? {
              status: 200,
              body: JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } }),
            }
          : { status: 200, body: "x".repeat(5000) },
    );
    const q = { url, start: T0, end: new Date(T0.getTime() + 1), maxBytes: 1000 };
    const fail = (query: string, extra = {}) =>
      all(lokiReader({ ...q, query, ...extra }).lines(never)).then(
        () => undefined,
        (e: unknown) => e as LokiError,
      );
    const bad = await fail("bad");
    expect(bad).toBeInstanceOf(LokiError);
    expect(bad?.code).toBe("LokiBadQuery");
    expect(bad?.message).toMatch(/HTTP 400: parse error at line 1/);
    expect((await fail('rate({a="b"}[1m])'))?.code).toBe("LokiNotALogQuery");
    expect((await fail('{a="b"}'))?.code).toBe("LokiBadResponse");
    expect((await fail('{a="b"}', { maxPageBytes: 100 }))?.code).toBe("LokiPageTooLarge");
  });

  it("says Loki is unreachable when nothing listens", async () => {
    const url = await fakeLoki([]);
    await new Promise((r) => {
      server?.close(r);
    });
    const err: unknown = await all(
      lokiReader({ url, query: '{a="b"}', start: T0, end: T0, maxBytes: 10 }).lines(never),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LokiError);
    expect((err as LokiError).code).toBe("LokiUnreachable");
    expect((err as LokiError).hint).toContain(url);
  });

  it("builds query_range URLs under a path prefix", () => {
    const u = queryRangeUrl("http://h:3100/loki-gw/", { query: '{a="b"}', start: 1n, end: 2n, limit: 100 });
    expect(u.pathname).toBe("/loki-gw/loki/api/v1/query_range");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      query: '{a="b"}',
      start: "1",
      end: "2",
      limit: "100",
      direction: "forward",
    });
  });
});

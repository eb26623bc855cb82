// Integration: a real Prometheus (Debian's `prometheus` package, see scripts/ci-apt.sh) started on a free
// loopback port with a temp config and storage dir. It scrapes (1) a tiny exporter in this test that serves
// a known series and (2) kwok's kubelet metrics in a sandbox (found through kwok's http_sd endpoint). Vigil's
// client reads both back with range queries; `vigil forecast deployment/NAME --prometheus-url` runs on it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, ROOT, startSandbox, type TestSandbox } from "../../test/harness.js";
import { cpuQuery, prometheusSource, queryRange } from "./index.js";

const PROMETHEUS = process.env["VIGIL_PROMETHEUS_BIN"] ?? "/usr/bin/prometheus";
const run = promisify(execFile);
const NS = "prom";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => {
    s.close(() => {
      r();
    });
  });
  return port;
}

let sb: TestSandbox;
let exporter: Server;
let prom: ChildProcess;
let dir: string;
let url: string;
const started = Date.now() / 1000;

beforeAll(async () => {
  sb = await startSandbox("prom", 1);
  // The exporter: a gauge that is 42 and a counter that grows by 10 a second.
  exporter = createServer((_req, res) => {
    const total = Math.floor((Date.now() / 1000 - started) * 10);
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    res.end(
      `# TYPE vigil_test_load gauge\nvigil_test_load 42\n# TYPE vigil_test_requests_total counter\nvigil_test_requests_total ${total}\n`,
    );
  });
  await new Promise<void>((r) => exporter.listen(0, "127.0.0.1", r));
  const exporterPort = (exporter.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), "vigil-prom-"));
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, evaluation_interval: 15s }",
      "scrape_configs:",
      "  - job_name: exporter",
      `    static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }]`,
      "  - job_name: kwok",
      "    scrape_interval: 2s",
      `    http_sd_configs: [{ url: "http://127.0.0.1:${sb.state.ports.kwok}/discovery/prometheus", refresh_interval: 5s }]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  prom = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", openSync(join(dir, "prometheus.log"), "w")] },
  );
  await eventually("Prometheus ready", 30_000, async () => {
    const r = await fetch(`${url}/-/ready`);
    return r.ok ? true : undefined;
  });
});

afterAll(async () => {
  if (prom.exitCode === null) {
    const exited = new Promise((r) => prom.once("exit", r));
    prom.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
  }
  exporter.close();
  rmSync(dir, { recursive: true, force: true });
  await sb.down();
});

describe("Prometheus history (real Prometheus from Debian)", () => {
  it("reads a known series back with range queries", async () => {
    // Prometheus starts scraping a few seconds after it reports ready.
    const end = await eventually("five seconds of the exporter's samples", 60_000, async () => {
      const e = Math.floor(Date.now() / 1000) - 1;
      const xs = await queryRange(url, { query: "vigil_test_load", start: e - 4, end: e, stepSeconds: 1 });
      return xs.length === 5 ? e : undefined;
    });
    const gauge = await queryRange(url, { query: "vigil_test_load", start: end - 4, end, stepSeconds: 1 });
    expect(gauge.length).toBe(5);
    expect(gauge.every((s) => s.v === 42)).toBe(true);
    const rate = await queryRange(url, {
      query: "rate(vigil_test_requests_total[3s])",
      start: end - 2,
      end,
      stepSeconds: 1,
    });
    expect(rate.length).toBeGreaterThan(0);
    for (const s of rate) {
      expect(s.v).toBeGreaterThan(7);
      expect(s.v).toBeLessThan(13);
    }
    // A long range is split into windows the server accepts (≤ 11,000 points each).
    const long = await queryRange(url, {
      query: "vigil_test_load",
      start: end - 25_000,
      end,
      stepSeconds: 1,
    });
    expect(long.every((s) => s.v === 42)).toBe(true);
    await expect(queryRange(url, { query: "sum(", start: end - 5, end, stepSeconds: 1 })).rejects.toThrow(
      /refused the query \(bad_data\)/,
    );
  });

  it("reads a Deployment's CPU from kwok's kubelet metrics and forecasts it from the CLI", async () => {
    const apps = sb.kc.makeApiClient(AppsV1Api);
    await sb.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "busy" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "busy" } },
          template: {
            metadata: { labels: { app: "busy" }, annotations: { "sandbox.vigil.dev/cpu": "200m" } },
            spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
          },
        },
      },
    });
    const w = { namespace: NS, kind: "Deployment", name: "busy" };
    const src = prometheusSource(url, cpuQuery);
    const got = await eventually("busy's CPU in Prometheus", 90_000, async () => {
      const now = Date.now() / 1000;
      const xs = await src.load(w, { start: now - 10, end: now, stepSeconds: 2 });
      const last = xs.at(-1);
      return last !== undefined && last.v > 390 ? xs : undefined;
    });
    expect(got.at(-1)?.v).toBeGreaterThan(390);
    expect(got.at(-1)?.v).toBeLessThan(410); // 2 pods × 200m
    // Once the 30 s rate window is full, 30 s of history at 2 s is enough for a short forecast (≥ 10 points).
    await sleep(20_000);
    const { stdout } = await run(
      process.execPath,
      [
        join(ROOT, "dist", "cli", "main.js"),
        "forecast",
        "deployment/busy",
        "-n",
        NS,
        `--kubeconfig=${sb.kubeconfig}`,
        `--prometheus-url=${url}`,
        "--history=30s",
        "--step=2s",
        "--horizon=20s",
        "-o",
        "json",
      ],
      { timeout: 30_000 },
    );
    const out = JSON.parse(stdout) as {
      source: string;
      kind: string;
      points: { mean: number; upper: number }[];
    };
    expect(out.kind).toBe("ok");
    expect(out.source).toContain("deployment/busy -n prom (Prometheus");
    expect(out.points.length).toBe(10);
    for (const p of out.points) expect(Math.abs(p.mean - 400)).toBeLessThan(60); // within 15 %
  });
});

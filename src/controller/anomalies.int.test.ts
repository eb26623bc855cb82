// Integration: live metric anomalies on the sandbox. A Deployment of two pods runs at a constant 50m CPU each
// (kwok usage from pod annotations, scraped by the real metrics-server every 10 s); the WatchSet polls
// metrics.k8s.io and feeds `Anomalies` exactly as `vigil run` does, with a 2 s poll and a 6-point warm-up instead
// of the production 15 s / 150 points so the test takes about two minutes. After the quiet warm-up the pods'
// CPU is driven up ×4 (their `spike-at` annotation set to now): exactly one CPU anomaly for the Deployment.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, startSandbox, type TestSandbox } from "../../test/harness.js";
import { rawRequest } from "../kube/index.js";
import { Anomalies, NAB_STANDARD_THRESHOLD, WatchSet, anomalyLine, type MetricAnomaly } from "./index.js";

const NS = "anom";
const WARMUP = 6;
const DEP = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "spiky" };
let sb: TestSandbox;

beforeAll(async () => {
  sb = await startSandbox("anomalies", 2);
});
afterAll(async () => {
  await sb.down();
});

async function send(method: string, path: string, body: unknown, contentType = "application/json") {
  const r = await rawRequest(sb.kc, method, path, { body: JSON.stringify(body), contentType });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${String(r.status)} ${JSON.stringify(r.body)}`);
  return r.body;
}

it("a Deployment's CPU driven up after a quiet warm-up gives one CPU anomaly for it", async () => {
  await send("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  await send("POST", `/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "spiky", namespace: NS },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "spiky" } },
      template: {
        metadata: {
          labels: { app: "spiky" },
          annotations: {
            "sandbox.vigil.dev/cpu": "50m",
            "sandbox.vigil.dev/load": "spike",
            "sandbox.vigil.dev/spike-at": "4102444800", // 2100: not before the test drives it
            "sandbox.vigil.dev/spike-factor": "4",
          },
        },
        spec: {
          containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "100m" } } }],
        },
      },
    },
  });
  // Start watching once both pods have usage, so the warm-up sees the steady level, not the pods appearing.
  const pods = await eventually("usage of both pods", 90_000, async () => {
    const r = await rawRequest(sb.kc, "GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`);
    const items = (r.body as { items?: { metadata: { name: string } }[] }).items ?? [];
    return r.status === 200 && items.length === 2 ? items.map((i) => i.metadata.name) : undefined;
  });

  const got: MetricAnomaly[] = [];
  const anomalies = new Anomalies({ onAnomaly: (a) => got.push(a), warmupPoints: WARMUP });
  const stop = new AbortController();
  const watch = new WatchSet(sb.kc, {
    namespace: NS,
    metricsIntervalMs: 2_000,
    onChange: () => undefined,
    onObject: (kind, id, obj) => {
      anomalies.object(kind, id, obj);
    },
    onMetrics: (items) => {
      anomalies.metrics(items);
    },
  });
  const running = watch.run(stop.signal);
  try {
    await eventually("warm-up", 120_000, () =>
      Promise.resolve((anomalies.points("cpu", DEP) ?? 0) > WARMUP ? true : undefined),
    );
    expect(got.filter((a) => a.object.kind === "Deployment")).toEqual([]);
    const quietPoints = anomalies.points("cpu", DEP) ?? 0;

    const spikeAt = Math.floor(Date.now() / 1000);
    for (const name of pods)
      await send(
        "PATCH",
        `/api/v1/namespaces/${NS}/pods/${name}`,
        { metadata: { annotations: { "sandbox.vigil.dev/spike-at": String(spikeAt) } } },
        "application/merge-patch+json",
      );
    const hit = await eventually("a CPU anomaly for the Deployment", 90_000, () =>
      Promise.resolve(got.find((a) => a.object.kind === "Deployment" && a.metric === "cpu")),
    );
    // Two more points at the new level: the sustained shift stays one signal.
    const at = anomalies.points("cpu", DEP) ?? 0;
    await eventually("two more points", 60_000, () =>
      Promise.resolve((anomalies.points("cpu", DEP) ?? 0) >= at + 2 ? true : undefined),
    );
    const onDep = got.filter((a) => a.object.kind === "Deployment");
    process.stderr.write(
      `anomalies: quiet points ${String(quietPoints)}, signals ${got.map((a) => anomalyLine(a).trim()).join(" | ")}\n`,
    );
    expect(onDep.map((a) => a.metric)).toEqual(["cpu"]);
    expect(hit.object).toEqual(DEP);
    expect(Date.parse(hit.at) / 1000).toBeGreaterThanOrEqual(spikeAt);
    expect(hit.value).toBeGreaterThan(0.3); // 2 × 200m, give or take the scrape window
    expect(hit.baseline).toBeGreaterThan(0.08);
    expect(hit.baseline).toBeLessThan(0.12); // 2 × 50m
    expect(hit.score).toBeGreaterThanOrEqual(NAB_STANDARD_THRESHOLD);
  } finally {
    stop.abort();
    await running.catch(() => undefined);
  }
});

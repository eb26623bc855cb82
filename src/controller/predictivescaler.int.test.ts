// Sandbox e2e: two copies of a Deployment whose pods' CPU spikes at a known time (`sandbox.vigil.dev/load:
// spike`), each with the same plain HPA (CPU 80 %, 1..4). One copy also has a PredictiveScaler (Auto) and
// three days of history in which the same spike happened at the same time of day (written as the
// checkpoint ConfigMap the operator restores on start, as after a restart). `vigil run --scalers` (the built
// CLI) raises that copy's HPA floor ahead of the spike (the seasonal outlook: both past days agree on a 6x
// step at that minute); the plain HPA reacts only after it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Deployment,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, installVigilCrds, ROOT, startSandbox, type TestSandbox } from "../../test/harness.js";
import { applyObjects } from "../kube/index.js";
import { checkpointObject, TieredSeries } from "../metrics/index.js";

const NS = "predict";
const READY_AFTER = 20; // seconds from scale-up to a Ready pod
const run = promisify(execFile);

let sb: TestSandbox;
let op: ChildProcess | undefined;
let opErr = "";

function deployment(name: string, spikeAt: number): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          annotations: {
            "sandbox.vigil.dev/cpu": "50m",
            "sandbox.vigil.dev/load": "spike",
            "sandbox.vigil.dev/spike-at": String(spikeAt),
            "sandbox.vigil.dev/spike-factor": "6",
            "sandbox.vigil.dev/ready-after": `${READY_AFTER}s`,
          },
        },
        spec: {
          containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "100m" } } }],
        },
      },
    },
  };
}

/** Three days of the workload's CPU as Vigil would have recorded it: 50m, 300m for 10 minutes a day at `spikeAt`'s time. */
function seededHistory(spikeAt: number, now: number): TieredSeries {
  const s = new TieredSeries();
  for (let t = Math.floor((now - 3 * 86_400) / 60) * 60; t < now - 60; t += 60) {
    const phase = (((t - spikeAt) % 86_400) + 86_400) % 86_400;
    s.add(t, phase < 600 ? 300 : 50);
  }
  return s;
}

beforeAll(async () => {
  sb = await startSandbox("predict", 1);
  await installVigilCrds(sb);
  await sb.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
});

afterAll(async () => {
  const child = op;
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
  }
  await sb.down();
});

describe("PredictiveScaler on the sandbox", () => {
  it(
    "has replicas Ready before a recurring spike while the plain HPA lags",
    { timeout: 600_000 },
    async () => {
      const apps = sb.kc.makeApiClient(AppsV1Api);
      const hpas = sb.kc.makeApiClient(AutoscalingV2Api);
      const custom = sb.kc.makeApiClient(CustomObjectsApi);
      await eventually("PredictiveScaler CRD served", 30_000, async () => {
        await custom.listNamespacedCustomObject({
          group: "vigil.dev",
          version: "v1alpha1",
          namespace: NS,
          plural: "predictivescalers",
        });
        return true;
      });
      // The spike starts on a whole 5 minutes (as a job at 09:00 or :15 would), at least 110 s from now.
      // Days older than 24 h are 5-min means in the recorder's history: a spike off that grid is seen at
      // full height only from its first whole 5-min bucket (see predictivescaler-plan.test.ts).
      const spikeAt = Math.ceil((Math.floor(Date.now() / 1000) + 110) / 300) * 300;
      for (const name of ["plain", "vigil"]) {
        await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name, spikeAt) });
        await hpas.createNamespacedHorizontalPodAutoscaler({
          namespace: NS,
          body: {
            metadata: { name },
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
              minReplicas: 1,
              maxReplicas: 4,
              metrics: [
                {
                  type: "Resource",
                  resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
                },
              ],
            },
          },
        });
      }
      const target = { namespace: NS, kind: "Deployment", name: "vigil" };
      await applyObjects(sb.kc, [
        checkpointObject(target, "cpu", seededHistory(spikeAt, Date.now() / 1000).checkpoint()),
      ]);
      await custom.createNamespacedCustomObject({
        group: "vigil.dev",
        version: "v1alpha1",
        namespace: NS,
        plural: "predictivescalers",
        body: {
          apiVersion: "vigil.dev/v1alpha1",
          kind: "PredictiveScaler",
          metadata: { name: "vigil" },
          spec: {
            target: { apiVersion: "apps/v1", kind: "Deployment", name: "vigil" },
            metric: { kind: "cpu" },
            capacityPerReplica: 100,
            targetUtilization: 0.8,
            minReplicas: 1,
            maxReplicas: 4,
            podStartupSeconds: READY_AFTER,
            mode: "Auto",
          },
        },
      });
      op = spawn(
        process.execPath,
        [
          join(ROOT, "dist", "cli", "main.js"),
          "-v",
          "run",
          "--scalers",
          "-n",
          NS,
          `--kubeconfig=${sb.kubeconfig}`,
          "--metrics-port=0",
          "--no-events",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      op.stderr?.on("data", (c: Buffer) => {
        opErr = (opErr + c.toString()).slice(-200_000);
      });

      // Sample both copies every second until each has 4 Ready replicas (or the spike is 180 s past: a loaded CI machine slows the plain HPA).
      const readyAt: Record<string, number | undefined> = { plain: undefined, vigil: undefined };
      const minAt: { raised?: number } = {};
      while (
        Date.now() / 1000 < spikeAt + 180 &&
        (readyAt["plain"] === undefined || readyAt["vigil"] === undefined)
      ) {
        const now = Date.now() / 1000;
        for (const name of ["plain", "vigil"]) {
          const d = await apps.readNamespacedDeployment({ name, namespace: NS });
          if (readyAt[name] === undefined && (d.status?.readyReplicas ?? 0) >= 4) readyAt[name] = now;
        }
        const h = await hpas.readNamespacedHorizontalPodAutoscaler({ name: "vigil", namespace: NS });
        if (minAt.raised === undefined && (h.spec.minReplicas ?? 1) > 1) minAt.raised = now;
        await sleep(1000);
      }
      const rel = (x: number | undefined) => (x === undefined ? undefined : Math.round(x - spikeAt));
      const result = {
        vigilReady: rel(readyAt["vigil"]),
        plainReady: rel(readyAt["plain"]),
        floorRaised: rel(minAt.raised),
      };
      console.log(`predictive e2e (seconds relative to the spike): ${JSON.stringify(result)}`);
      const psNow: unknown = await custom.getNamespacedCustomObject({
        group: "vigil.dev",
        version: "v1alpha1",
        namespace: NS,
        plural: "predictivescalers",
        name: "vigil",
      });
      const diag = [
        JSON.stringify((psNow as { status?: unknown }).status),
        ...opErr
          .split("\n")
          .filter((l) => l.includes("predictivescaler"))
          .slice(-20),
      ].join("\n");
      expect(result.floorRaised, diag).toBeDefined();
      expect(result.vigilReady, diag).toBeDefined();
      expect(result.vigilReady, diag).toBeLessThan(0); // Vigil: 4 Ready before the spike
      // Not long before either: the outlook is provisioned from the lead window (20 s start-up + 15 s + 60 s).
      expect(result.floorRaised, diag).toBeGreaterThan(-120);
      expect(result.plainReady).toBeDefined();
      expect(result.plainReady).toBeGreaterThan(0); // the plain HPA: only after it

      // Status explains the decision.
      const ps = (await custom.getNamespacedCustomObject({
        group: "vigil.dev",
        version: "v1alpha1",
        namespace: NS,
        plural: "predictivescalers",
        name: "vigil",
      })) as {
        status?: {
          desiredReplicas?: number;
          forecast?: { period?: string };
          hpa?: { baseMinReplicas?: number };
          conditions?: { type: string; status: string; reason: string; message?: string }[];
        };
      };
      console.log(
        `predictive e2e status: ${JSON.stringify(ps.status?.conditions?.find((c) => c.type === "Ready"))}`,
      );
      expect(ps.status?.desiredReplicas).toBe(4);
      expect(ps.status?.forecast?.period).toBe("24h");
      expect(ps.status?.hpa?.baseMinReplicas).toBe(1);
      expect(ps.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    },
  );

  it("vigil forecast deployment/NAME reads the operator's checkpoint", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(ROOT, "dist", "cli", "main.js"),
        "forecast",
        "deployment/vigil",
        "-n",
        NS,
        `--kubeconfig=${sb.kubeconfig}`,
        "--horizon=30m",
      ],
      { timeout: 30_000 },
    );
    expect(stdout).toContain("deployment/vigil -n predict (checkpoint ConfigMap)");
    expect(stdout).toContain("period: 24h");
  });
});

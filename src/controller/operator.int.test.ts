// Integration, with the built CLI (`npm run build` first): `vigil run --mode auto` killed with SIGKILL right
// after it journaled an action resumes from the Incident on restart (no duplicate action, the action is
// verified); two `vigil run --leader-elect` replicas never both act.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, ROOT, startSandbox, type TestSandbox } from "../../test/harness.js";
import { applyObjects, rawRequest } from "../kube/index.js";

let sb: TestSandbox;
const children: ChildProcess[] = [];
beforeAll(async () => {
  sb = await startSandbox("operator", 3);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await sb.down();
});

function vigilRun(args: string[], lines: string[], events = false): ChildProcess {
  const c = spawn(
    process.execPath,
    [
      join(ROOT, "dist", "cli", "main.js"),
      "run",
      "--metrics-port",
      "0",
      ...(events ? [] : ["--no-events"]),
      "--kubeconfig",
      sb.kubeconfig,
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(c);
  createInterface({ input: c.stdout as NodeJS.ReadableStream }).on("line", (l) => lines.push(l));
  createInterface({ input: c.stderr as NodeJS.ReadableStream }).on("line", (l) => lines.push(`stderr: ${l}`));
  return c;
}

async function stopChild(c: ChildProcess, sig: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) =>
    c.once("exit", () => {
      r();
    }),
  );
  c.kill(sig);
  await exited;
}

function web(ns: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: ns, labels: { app: "web" } },
    spec: {
      replicas: 3,
      progressDeadlineSeconds: 30,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  };
}

async function deployment(ns: string): Promise<V1Deployment> {
  return (await rawRequest(sb.kc, "GET", `/apis/apps/v1/namespaces/${ns}/deployments/web`))
    .body as V1Deployment;
}

async function healthy(ns: string): Promise<true | undefined> {
  const d = await deployment(ns);
  return d.status?.availableReplicas === 3 && d.status.updatedReplicas === 3 ? true : undefined;
}

interface IncidentList {
  items: {
    metadata: { annotations?: Record<string, string> };
    spec?: { target?: { namespace?: string } };
    status?: {
      phase?: string;
      actions?: { id: string; kind: string; outcome: string; target?: { namespace?: string } }[];
    };
  }[];
}
/** The Incidents in `ns` about objects in `targetNs` (operators here watch the whole, shared cluster). */
async function incidents(ns: string, targetNs: string): Promise<IncidentList["items"]> {
  const r = await rawRequest(sb.kc, "GET", `/apis/vigil.dev/v1alpha1/namespaces/${ns}/incidents`);
  const items = r.status === 200 ? (r.body as IncidentList).items : [];
  return items.filter((i) => i.spec?.target?.namespace === targetNs);
}

async function badRelease(ns: string, create = true): Promise<void> {
  if (create) await sb.kubectl("create", "namespace", ns);
  await applyObjects(sb.kc, [web(ns)] as never, { force: true });
  await eventually(`${ns} healthy`, 60_000, () => healthy(ns));
  await sb.kubectl("-n", ns, "set", "image", "deployment/web", "app=registry.invalid/web:2");
}

describe("vigil run on the sandbox", () => {
  it("HealingPolicy objects: a namespace's Auto policy heals it while the cluster policy stays dry-run", async () => {
    const lines: string[] = [];
    const run = vigilRun(["--mode", "dry-run", "--incident-namespace", "hp"], lines, true);
    await sb.kubectl("create", "namespace", "hp");
    try {
      await eventually("watching", 60_000, () =>
        Promise.resolve(lines.some((l) => l.includes("vigil: watching")) ? true : undefined),
      );
      await sb.kubectl("create", "namespace", "hp-auto");
      await applyObjects(
        sb.kc,
        [
          {
            apiVersion: "vigil.dev/v1alpha1",
            kind: "HealingPolicy",
            metadata: { name: "heal", namespace: "hp-auto" },
            spec: { mode: "Auto", selector: { matchLabels: { app: "web" } } },
          },
        ] as never,
        { force: true },
      );
      await badRelease("hp-auto", false);
      await badRelease("hp-dry");
      await eventually("hp-auto healed", 90_000, () => healthy("hp-auto"));
      await eventually("hp-dry dry-run", 60_000, () =>
        Promise.resolve(lines.some((l) => l.includes("DRY-RUN") && l.includes("hp-dry")) ? true : undefined),
      );
      const acted = lines.filter((l) => l.includes(" ACTED "));
      expect(acted.length).toBeGreaterThan(0);
      expect(acted.every((l) => l.includes("hp-auto"))).toBe(true);
      const d = await deployment("hp-dry");
      expect(d.spec?.template.spec?.containers[0]?.image).toBe("registry.invalid/web:2");
      // The audit trail on the workload: Kubernetes Events for the action and its verification.
      const reasons = await eventually("events on the Deployment", 30_000, async () => {
        const r = await rawRequest(
          sb.kc,
          "GET",
          `/api/v1/namespaces/hp-auto/events?fieldSelector=${encodeURIComponent("involvedObject.kind=Deployment,involvedObject.name=web")}`,
        );
        const rs = ((r.body as { items?: { reason?: string }[] }).items ?? []).map((e) => e.reason ?? "");
        return rs.includes("VigilActed") && rs.includes("VigilVerified") ? rs : undefined;
      });
      expect(reasons).toContain("VigilFinding");
    } finally {
      await stopChild(run);
      // Leave nothing broken behind for the auto-mode operators of the next tests (they also count only
      // their own namespaces' actions, as namespace deletion may still be in progress).
      await sb.kubectl("delete", "namespace", "hp-auto", "hp-dry", "--wait=false");
    }
  }, 240_000);

  it("SIGKILL right after the journal entry: the restarted operator resumes, no duplicate, verified", async () => {
    const lines: string[] = [];
    const first = vigilRun(["--mode", "auto", "--incident-namespace", "crash"], lines);
    await sb.kubectl("create", "namespace", "crash");
    await eventually("operator watching", 60_000, () =>
      Promise.resolve(lines.some((l) => l.includes("vigil: watching")) ? true : undefined),
    );
    // Kill the moment an Incident carries a pending action (journaled before the patch is sent).
    const poll = (async () => {
      for (;;) {
        const inc = await incidents("crash", "crash");
        // The pending window can be shorter than one poll (the analysis runs in a worker): an action already
        // on record is as good a moment to kill — the restart must still neither repeat nor lose it.
        if (
          inc.some(
            (i) =>
              i.metadata.annotations?.["vigil.dev/pending-actions"] !== undefined ||
              (i.status?.actions ?? []).some((a) => a.kind === "rollback"),
          )
        ) {
          first.kill("SIGKILL");
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await applyObjects(sb.kc, [web("crash")] as never, { force: true });
    await eventually("crash healthy", 60_000, () => healthy("crash"));
    await sb.kubectl("-n", "crash", "set", "image", "deployment/web", "app=registry.invalid/web:2");
    await Promise.race([
      poll,
      new Promise((_, rej) =>
        setTimeout(() => {
          rej(new Error("no pending action journaled"));
        }, 60_000),
      ),
    ]);
    if (first.exitCode === null && first.signalCode === null)
      await new Promise<void>((r) => {
        first.once("exit", () => {
          r();
        });
      });
    expect(first.signalCode).toBe("SIGKILL");
    const atKill = await deployment("crash");
    const sentBeforeKill = atKill.spec?.template.spec?.containers[0]?.image === "nginx:1.27";
    // Under load the kill can land after the first operator already recorded the verification: then there is
    // nothing left to resume.
    const decidedBeforeKill = (await incidents("crash", "crash"))
      .flatMap((i) => i.status?.actions ?? [])
      .some((a) => a.kind === "rollback" && a.outcome !== "pending");

    const lines2: string[] = [];
    const second = vigilRun(["--mode", "auto", "--incident-namespace", "crash"], lines2);
    try {
      await eventually("healed", 90_000, () => healthy("crash"));
      const inc = await eventually("verified", 90_000, async () => {
        const xs = await incidents("crash", "crash");
        const acts = xs
          .flatMap((i) => i.status?.actions ?? [])
          .filter((a) => a.target?.namespace === "crash");
        return acts.some((a) => a.outcome === "verified") ? acts : undefined;
      });
      // Exactly one rollback, journaled once; the restarted operator did not send it again.
      expect(
        inc.filter((a) => a.kind === "rollback"),
        JSON.stringify({ actions: inc, first: lines.slice(-30), second: lines2.slice(-30) }, null, 1),
      ).toHaveLength(1);
      // Sent exactly once in total: by the first run before the kill, or else by the second on resume.
      // (Only this test's namespace: the operators here watch the whole cluster, which other tests share.)
      expect(lines2.filter((l) => l.includes(" ACTED ") && l.includes("/crash/"))).toHaveLength(
        sentBeforeKill ? 0 : 1,
      );
      expect(lines2.some((l) => l.includes("resuming verification"))).toBe(!decidedBeforeKill);
      const d = await deployment("crash");
      expect(d.spec?.template.spec?.containers[0]?.image).toBe("nginx:1.27");
      // The rollback was applied exactly once: generation 1 (create) + 1 (bad release) + 1 (rollback).
      expect(d.metadata?.generation).toBe(3);
      console.log(
        `crash test: the patch had ${sentBeforeKill ? "" : "not "}been sent when the operator was killed`,
      );
    } finally {
      await stopChild(second);
    }
  }, 280_000);

  it("leader election: with two replicas only the leader acts", async () => {
    const a: string[] = [];
    const b: string[] = [];
    const ra = vigilRun(
      ["--mode", "auto", "--leader-elect", "--identity", "a", "--incident-namespace", "le"],
      a,
    );
    const rb = vigilRun(
      ["--mode", "auto", "--leader-elect", "--identity", "b", "--incident-namespace", "le"],
      b,
    );
    await sb.kubectl("create", "namespace", "le");
    try {
      await eventually("both watching", 60_000, () =>
        Promise.resolve(
          a.some((l) => l.includes("vigil: watching")) && b.some((l) => l.includes("vigil: watching"))
            ? true
            : undefined,
        ),
      );
      await badRelease("le-app");
      await eventually("healed", 90_000, () => healthy("le-app"));
      await eventually("verified", 60_000, async () =>
        (await incidents("le", "le-app")).some((i) =>
          (i.status?.actions ?? []).some((x) => x.outcome === "verified"),
        )
          ? true
          : undefined,
      );
      const actedA = a.filter((l) => l.includes(" ACTED ") && l.includes("/le-app/")).length;
      const actedB = b.filter((l) => l.includes(" ACTED ") && l.includes("/le-app/")).length;
      expect(actedA + actedB).toBe(1);
      expect(Math.min(actedA, actedB)).toBe(0);
      const acts = (await incidents("le", "le-app")).flatMap((i) => i.status?.actions ?? []);
      expect(acts.filter((x) => x.kind === "rollback")).toHaveLength(1);
      expect((await deployment("le-app")).metadata?.generation).toBe(3);
    } finally {
      await Promise.all([stopChild(ra), stopChild(rb)]);
    }
  }, 240_000);
});

import { describe, expect, it } from "vitest";
import type { CoreV1Event, V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import { answerWithoutModel, intentOf } from "./answer.js";
import { basicFindings } from "./findings.js";
import { CORPUS } from "./testdata/corpus.js";

const byKind = <T>(k: string) => CORPUS.objects.filter((o) => o.kind === k) as T[];
const state = {
  pods: byKind<V1Pod>("Pod"),
  events: byKind<CoreV1Event>("Event"),
  nodes: [] as V1Node[],
  deployments: byKind<V1Deployment>("Deployment"),
};

describe("no-model answers", () => {
  it("finds the crash loop with its evidence and owner", () => {
    const f = basicFindings(state);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      kind: "Pod",
      name: "checkout-7d9f-abcde",
      reason: "CrashLoopBackOff",
      owner: "Deployment/checkout",
      severity: "critical",
    });
    expect(f[0]?.evidence.join("\n")).toContain("exit code 3");
  });

  it("classifies intents", () => {
    expect(intentOf("what is broken?")).toBe("what");
    expect(intentOf("why is checkout failing?")).toBe("why");
    expect(intentOf("how do I fix it?")).toBe("fix");
    expect(intentOf("status")).toBe("overview");
  });

  it("answers what/why/what-to-do and says how to configure a provider", () => {
    const a = answerWithoutModel("why is checkout failing?", basicFindings(state), "namespace shop");
    expect(a).toContain("Pod shop/checkout-7d9f-abcde (Deployment/checkout): CrashLoopBackOff");
    expect(a).toContain("evidence: last terminated: reason Error, exit code 3");
    expect(a).toContain("next: read the previous container's logs");
    expect(a).toContain("VIGIL_LLM_PROVIDER");
  });

  it("says so when nothing is broken", () => {
    expect(answerWithoutModel("what is broken?", [], "namespace shop")).toContain(
      "Nothing looks broken in namespace shop",
    );
  });

  it("flags OOMKilled, image pulls, missing config, unschedulable pods and NotReady nodes", () => {
    const pod = (name: string, status: object, phase = "Pending"): V1Pod => ({
      metadata: { name, namespace: "ns" },
      spec: { containers: [{ name: "app" }] },
      status: { phase, ...status },
    });
    const cs = (state: object, last?: object) => ({
      containerStatuses: [
        {
          name: "app",
          ready: false,
          restartCount: 2,
          image: "",
          imageID: "",
          state,
          ...(last ? { lastState: { terminated: last } } : {}),
        },
      ],
    });
    const f = basicFindings({
      pods: [
        pod(
          "oom",
          cs({ waiting: { reason: "CrashLoopBackOff" } }, { reason: "OOMKilled", exitCode: 137 }),
          "Running",
        ),
        pod("pull", cs({ waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } })),
        pod(
          "cfg",
          cs({ waiting: { reason: "CreateContainerConfigError", message: 'configmap "x" not found' } }),
        ),
        pod("sched", {
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message: "0/3 nodes are available",
            },
          ],
        }),
        pod("evicted", { reason: "Evicted", message: "The node was low on resource: memory." }, "Failed"),
      ],
      events: [],
      nodes: [
        {
          metadata: { name: "node-3" },
          status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady" }] },
        },
      ],
      deployments: [],
    });
    expect(f.map((x) => `${x.name}:${x.reason}`).sort()).toEqual(
      [
        "cfg:CreateContainerConfigError",
        "evicted:Evicted",
        "node-3:NodeNotReady",
        "oom:OOMKilled",
        "pull:ImagePullBackOff",
        "sched:Unschedulable",
      ].sort(),
    );
  });
});

describe("findings from src/health", () => {
  it("maps the analyzers' findings for the corpus to views with evidence and a fix", async () => {
    const { healthFindings } = await import("./health.js");
    const { fakeCluster } = await import("./testkit.js");
    const src = healthFindings(fakeCluster(CORPUS), () => new Date("2026-11-26T10:00:00Z"));
    const f = await src({ namespace: "shop" }, new AbortController().signal);
    expect(f.length).toBeGreaterThan(0);
    const crash = f.find((x) => x.reason === "CrashLoopBackOff");
    expect(crash).toBeDefined();
    expect(crash?.evidence.join("\n")).toMatch(/exit code 3|exitCode 3|code 3/i);
    expect(crash?.suggestion.length).toBeGreaterThan(0);
  });
});

describe("hygiene findings", () => {
  it("are left out of a failure answer when something worse is wrong, and counted", () => {
    const base = { kind: "Deployment", namespace: "shop", name: "checkout", evidence: [], suggestion: "s" };
    const a = answerWithoutModel(
      "why is checkout failing?",
      [
        { ...base, severity: "critical", reason: "CrashLoopBackOff", message: "exits with code 3" },
        { ...base, severity: "low", reason: "RunsAsRoot", message: "may run as root" },
      ],
      "namespace shop",
    );
    expect(a).toContain("CrashLoopBackOff");
    expect(a).not.toContain("RunsAsRoot");
    expect(a).toContain("1 low-severity hygiene finding(s) not shown");
  });
});

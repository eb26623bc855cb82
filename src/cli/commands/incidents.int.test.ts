// `vigil incidents` against a real apiserver: the Incident CRD from deploy/crds, one Incident written the way
// the operator writes it (toResource of a correlated incident) and one the way the healer writes it, listed
// and shown by the built CLI in every output format.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, eventually, startSandbox, type TestSandbox } from "../../../test/harness.js";
import * as incident from "../../incident/index.js";

const run = promisify(execFile);
let sb: TestSandbox;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [
      join(ROOT, "dist", "cli", "main.js"),
      ...args,
      "--kubeconfig",
      sb.kubeconfig,
    ]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const dep = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };
const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

beforeAll(async () => {
  sb = await startSandbox("incidents-cli", 1);
}, 240_000);
afterAll(async () => {
  await sb.down();
}, 120_000);

describe("vigil incidents (cluster)", () => {
  it("says the CRD is missing in one sentence", async () => {
    const r = await cli("incidents", "-A");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the cluster has no Incident resource type/);
  });

  it("lists and shows Incident resources", async () => {
    await sb.kubectl("apply", "-f", join(ROOT, "deploy", "crds", "incidents.vigil.dev.yaml"));
    await eventually("Incident CRD established", 60_000, async () =>
      (await sb.kubectl(
        "get",
        "crd",
        "incidents.vigil.dev",
        "-o",
        "jsonpath={.status.conditions[?(@.type=='Established')].status}",
      )) === "True"
        ? true
        : undefined,
    );
    await sb.kubectl("create", "namespace", "vigil-system");
    const correlated = incident.correlate(
      new Date(T0 + 300_000),
      [
        {
          kind: "finding",
          at: at(0),
          state: "firing",
          id: "Pod/OOMKilled/Deployment/shop/api",
          code: "OOMKilled",
          severity: "high",
          object: dep,
          reason: "OOMKilled at 64Mi",
          fix: "raise the limit",
        },
        {
          kind: "finding",
          at: at(60),
          state: "resolved",
          id: "Pod/OOMKilled/Deployment/shop/api",
          code: "OOMKilled",
          severity: "high",
          object: dep,
          reason: "OOMKilled at 64Mi",
        },
      ].map((s) => incident.Signal.parse(s)),
      () => undefined,
      incident.defaultIncidentConfig,
    );
    const inc = correlated[0];
    expect(inc).toBeDefined();
    if (inc === undefined) return;
    const res = incident.toResource(inc, "vigil-system");
    // Status is a subresource: create the object, then write its status.
    const { status, ...obj } = res;
    const file = join(sb.home, "inc.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, JSON.stringify(obj));
    await sb.kubectl("create", "-f", file);
    writeFileSync(file, JSON.stringify({ ...obj, status }));
    await sb.kubectl("replace", "--subresource=status", "-f", file);

    const list = await cli("incidents", "-n", "vigil-system");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`${inc.id}\\s+high\\s+resolved\\s+Deployment/shop/api\\s+OOMKilled`),
    );

    const json = await cli("incidents", "list", "-A", "-o", "json");
    const parsed = JSON.parse(json.stdout) as incident.Incident[];
    expect(parsed.map((i) => [i.id, i.status, i.resolvedAt])).toEqual([[inc.id, "resolved", inc.resolvedAt]]);

    const show = await cli("incidents", "show", inc.id, "-n", "vigil-system");
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("timeline:");
    expect(show.stdout).toContain("OOMKilled (high) on Deployment shop/api");
    expect(show.stdout).toContain("incident resolved");

    const yaml = await cli("incidents", "show", inc.id, "-n", "vigil-system", "-o", "yaml");
    expect(yaml.stdout).toContain(`id: ${inc.id}`);

    const missing = await cli("incidents", "show", "inc-0000000000", "-n", "vigil-system");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: no incident inc-0000000000");
  });
});

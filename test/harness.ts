/**
 * @module
 * Integration-test harness: a real sandbox per test file (unique name, its own VIGIL_HOME), a
 * client for it, the testbed's kubectl, and polling helpers. Tests only.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { CRDS, crdManifest } from "../src/api/index.js";
import { applyObjects, rawRequest } from "../src/kube/index.js";
import * as sandbox from "../src/sandbox/index.js";

const run = promisify(execFile);

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const BIN_DIR = process.env["VIGIL_TESTBED_BIN"] ?? join(ROOT, "testbed", "bin");

export interface TestSandbox {
  readonly name: string;
  readonly home: string;
  readonly kubeconfig: string;
  readonly kc: KubeConfig;
  readonly state: sandbox.UpResult["state"];
  readonly seconds: number;
  kubectl(...args: string[]): Promise<string>;
  down(): Promise<sandbox.DownResult>;
}

export function sandboxEnv(home: string): sandbox.SandboxEnv {
  return {
    home,
    binDir: BIN_DIR,
    assetsDir: join(ROOT, "deploy", "sandbox"),
    progress: () => undefined,
    selfCommand: [process.execPath, join(ROOT, "dist", "cli", "main.js")],
  };
}

export async function startSandbox(prefix: string, nodes = 3): Promise<TestSandbox> {
  const home = mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
  const name = `${prefix}-${process.pid}`;
  const env = sandboxEnv(home);
  const res = await sandbox.up(env, {
    name,
    nodes,
    timeoutMs: 120_000,
    signal: new AbortController().signal,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(res.state.kubeconfig);
  return {
    name,
    home,
    kubeconfig: res.state.kubeconfig,
    kc,
    state: res.state,
    seconds: res.seconds,
    kubectl: async (...args: string[]) => {
      const { stdout } = await run(
        join(BIN_DIR, "kubectl"),
        [`--kubeconfig=${res.state.kubeconfig}`, ...args],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      return stdout;
    },
    down: async () => {
      const r = await sandbox.down({ home }, name);
      rmSync(home, { recursive: true, force: true });
      return r;
    },
  };
}

/** Polls `fn` until it returns a value other than undefined; fails with the last seen state. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`,
      );
    }
    await sleep(500);
  }
}

/** Installs Vigil's CRDs on the sandbox and waits until the Incident resource is served. */
export async function installVigilCrds(sb: TestSandbox): Promise<void> {
  await applyObjects(
    sb.kc,
    CRDS.map((d) => crdManifest(d) as never),
    { force: true },
  );
  await eventually("incident CRD", 30_000, async () =>
    (await rawRequest(sb.kc, "GET", "/apis/vigil.dev/v1alpha1/incidents")).status === 200 ? true : undefined,
  );
}

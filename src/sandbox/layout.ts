/**
 * @module
 * Where a sandbox keeps its state, and the state file's schema.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { VigilError } from "../model/index.js";

export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "metrics-server",
  "config-shim",
] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export const SandboxName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, "a sandbox name is 1-40 lowercase letters, digits or '-'");

export const SandboxState = z.object({
  name: z.string(),
  createdAt: z.string(),
  nodes: z.number().int(),
  ports: z.object({
    etcdClient: z.number().int(),
    etcdPeer: z.number().int(),
    apiserver: z.number().int(),
    kwok: z.number().int(),
    metricsServer: z.number().int(),
  }),
  kubeconfig: z.string(),
  components: z.array(z.object({ name: z.enum(COMPONENTS), pid: z.number().int(), log: z.string() })),
});
export type SandboxState = z.infer<typeof SandboxState>;

export interface SandboxPaths {
  readonly dir: string;
  readonly state: string;
  readonly kubeconfig: string;
  readonly pki: string;
  readonly logs: string;
  readonly etcdData: string;
  readonly config: string;
}

export function sandboxPaths(home: string, name: string): SandboxPaths {
  const dir = join(home, "sandboxes", name);
  return {
    dir,
    state: join(dir, "state.json"),
    kubeconfig: join(dir, "kubeconfig"),
    pki: join(dir, "pki"),
    logs: join(dir, "logs"),
    etcdData: join(dir, "etcd"),
    config: join(dir, "config"),
  };
}

export function readState(paths: SandboxPaths): SandboxState | undefined {
  if (!existsSync(paths.state)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(paths.state, "utf8"));
  } catch (err) {
    throw new VigilError("SandboxStateInvalid", `cannot read ${paths.state}`, {
      cause: err,
      hint: "remove the sandbox directory by hand",
    });
  }
  const parsed = SandboxState.safeParse(raw);
  if (!parsed.success) {
    throw new VigilError(
      "SandboxStateInvalid",
      `${paths.state} is not a sandbox state file: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

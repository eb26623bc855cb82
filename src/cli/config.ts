/**
 * @module
 * Process settings: read once from the environment here, then passed down frozen.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface ProcessConfig {
  /** Vigil's state home (sandboxes live under it). */
  readonly home: string;
  /** The package root: bin/, dist/, deploy/. */
  readonly root: string;
  /** Testbed binaries, when set explicitly. */
  readonly testbedBin: string | undefined;
  readonly kubeconfigEnv: string | undefined;
}

export function readProcessConfig(env: NodeJS.ProcessEnv): ProcessConfig {
  // dist/cli/config.js and src/cli/config.ts are both two levels below the root.
  const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
  return Object.freeze({
    home: env["VIGIL_HOME"] ?? join(homedir(), ".vigil"),
    root,
    testbedBin: env["VIGIL_TESTBED_BIN"],
    kubeconfigEnv: env["KUBECONFIG"],
  });
}

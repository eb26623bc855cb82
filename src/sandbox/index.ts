/**
 * @module
 * The sandbox edge: starts and stops a real local control plane built from `testbed/` and writes
 * its kubeconfig. The only module that starts child processes.
 */
export { up, down, status, list, nodeName, loadManifests, SandboxError } from "./sandbox.js";
export type {
  SandboxEnv,
  UpOptions,
  UpResult,
  DownResult,
  SandboxStatus,
  ComponentStatus,
} from "./sandbox.js";
export { SandboxName, sandboxPaths, COMPONENTS } from "./layout.js";
export { runConfigShim, MISSING_CONFIG_ANNOTATION } from "./configshim.js";
export { missingConfig, type ConfigIndex } from "./configrefs.js";

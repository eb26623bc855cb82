/**
 * @module
 * Loads a kubeconfig (file, KUBECONFIG list or in-cluster) and picks a context, kubectl-style.
 */
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { VigilError } from "../model/index.js";

export interface KubeTarget {
  /** Explicit --kubeconfig path; otherwise the environment's KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export function loadKubeConfig(target: KubeTarget): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (target.kubeconfig !== undefined) {
      if (!existsSync(target.kubeconfig)) {
        throw new VigilError("KubeconfigNotFound", `kubeconfig ${target.kubeconfig} does not exist`);
      }
      kc.loadFromFile(target.kubeconfig);
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof VigilError) throw err;
    throw new VigilError("KubeconfigInvalid", "cannot read the kubeconfig", {
      cause: err,
      hint: "check the file with: kubectl config view",
    });
  }
  if (target.context !== undefined) {
    if (kc.getContextObject(target.context) === null) {
      throw new VigilError("ContextNotFound", `context "${target.context}" is not in the kubeconfig`);
    }
    kc.setCurrentContext(target.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new VigilError("NoCluster", "the kubeconfig names no current cluster", {
      hint: "pass --kubeconfig or --context, or start a sandbox: vigil sandbox up",
    });
  }
  return kc;
}

/**
 * @module
 * Server-side apply of plain objects with Vigil's own field manager. Objects go to the apiserver as
 * JSON exactly as given (no client model in between), so CRD schemas keep `default`, `enum` and
 * `x-kubernetes-validations`.
 */
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { Discovery, expectOk, objectPath, rawRequest } from "./raw.js";

export const FIELD_MANAGER = "vigil";

function describe(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return `${obj.kind ?? "?"} ${ns !== undefined ? `${ns}/` : ""}${obj.metadata?.name ?? "?"}`;
}

export interface ApplyOptions {
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

/** Applies each object in order; stops at the first failure with a KubeError naming the object. */
export async function applyObjects(
  kc: KubeConfig,
  objects: readonly KubernetesObject[],
  opts: ApplyOptions = {},
): Promise<KubernetesObject[]> {
  const discovery = new Discovery(kc);
  const out: KubernetesObject[] = [];
  for (const obj of objects) {
    const what = describe(obj);
    const apiVersion = obj.apiVersion ?? "v1";
    const r = await discovery.resource(apiVersion, obj.kind ?? "");
    const path = objectPath(apiVersion, r, obj.metadata?.namespace, obj.metadata?.name);
    const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: String(opts.force ?? false) });
    if (opts.dryRun === true) q.set("dryRun", "All");
    const res = await rawRequest(kc, "PATCH", `${path}?${q.toString()}`, {
      body: JSON.stringify(obj),
      contentType: "application/apply-patch+yaml",
    });
    out.push(expectOk(res, "apply", what) as KubernetesObject);
  }
  return out;
}

/**
 * @module
 * Server-side apply of plain objects with Vigil's own field manager.
 */
import {
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { toKubeError } from "./errors.js";

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
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: KubernetesObject[] = [];
  for (const obj of objects) {
    try {
      out.push(
        await api.patch(
          obj,
          undefined,
          opts.dryRun === true ? "All" : undefined,
          FIELD_MANAGER,
          opts.force ?? false,
          PatchStrategy.ServerSideApply,
        ),
      );
    } catch (err) {
      throw toKubeError(err, "apply", describe(obj));
    }
  }
  return out;
}

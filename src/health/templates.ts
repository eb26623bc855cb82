/**
 * The pod templates of every top-level workload (and of bare pods), for the analyzers that read specs:
 * config references and container hygiene. A Job owned by a CronJob is covered by its CronJob, a
 * ReplicaSet by its Deployment, a pod by its controller.
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Meta, PodSpec } from "./snapshot.js";
import { refOf } from "./util.js";

export interface WorkloadSpec {
  readonly object: ObjectRef;
  readonly meta: Meta;
  readonly spec: PodSpec;
}

export function workloadSpecs(ctx: Ctx): WorkloadSpec[] {
  const s = ctx.snap;
  const out: WorkloadSpec[] = [];
  const add = (kind: string, meta: Meta, spec: PodSpec) => {
    if (ctx.inScope(meta.namespace)) out.push({ object: refOf(kind, meta), meta, spec });
  };
  for (const x of s.deployments) add("Deployment", x.metadata, x.spec.template.spec);
  for (const x of s.statefulSets) add("StatefulSet", x.metadata, x.spec.template.spec);
  for (const x of s.daemonSets) add("DaemonSet", x.metadata, x.spec.template.spec);
  for (const x of s.cronJobs) add("CronJob", x.metadata, x.spec.jobTemplate.spec.template.spec);
  for (const x of s.jobs)
    if (x.metadata.ownerReferences.length === 0) add("Job", x.metadata, x.spec.template.spec);
  for (const x of s.replicaSets)
    if (x.metadata.ownerReferences.length === 0) add("ReplicaSet", x.metadata, x.spec.template.spec);
  for (const p of s.pods) {
    if (p.metadata.ownerReferences.length === 0 && p.status.phase !== "Succeeded")
      add("Pod", p.metadata, p.spec);
  }
  return out;
}

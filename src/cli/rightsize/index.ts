/**
 * @module
 * Live right-sizing for `vigil recommend`: `plan.ts` decides (pure: recommendations, safety rules, the exact
 * patch, QoS, quotas, overcommitment, idle workloads, probes, cost), `collect.ts` reads the cluster,
 * samples metrics.k8s.io or Prometheus, and sends the patches.
 */
export {
  ANNOTATION,
  PLAN_DEFAULTS,
  WORKLOAD_KINDS,
  applyDecision,
  mergeSamples,
  oomNeed,
  planLive,
  proposeContainer,
  recommendContainer,
  showCpu,
  showMem,
  type ContainerPlan,
  type ContainerSample,
  type ContainerView,
  type LiveInput,
  type LivePlan,
  type PlanOptions,
  type PodView,
  type PolicyView,
  type WorkloadKind,
  type WorkloadPlan,
  type WorkloadView,
} from "./plan.js";
export {
  checkMetricsApi,
  collect,
  parseNode,
  parsePod,
  parsePolicy,
  parseQuota,
  parseWorkload,
  podOwner,
  quantity,
  sendPatch,
  workloadPath,
  type Scope,
} from "./collect.js";

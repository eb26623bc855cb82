/**
 * @module
 * Fault scenarios, pure: the scenario format (zod) and the measurement of a run (recovered, time to
 * detect, MTTR, actions, harmful actions). The runner that deploys and injects lives in `src/cli/scenario/`.
 */
export {
  BasicStep,
  Duration,
  Expect,
  NodePick,
  Recovery,
  Scenario,
  Step,
  flatSteps,
  parseScenario,
} from "./schema.js";
export type { ParseResult } from "./schema.js";
export { assess, measure, nodeReady, recoveryTime, summarize } from "./measure.js";
export type {
  Assessment,
  BenchRow,
  BenchSummary,
  ClusterView,
  DeploymentView,
  NodeView,
  PodView,
  RunObservations,
  RunResult,
  Sample,
  SeenAction,
  SeenFinding,
} from "./measure.js";

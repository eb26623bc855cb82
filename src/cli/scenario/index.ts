/**
 * @module
 * The scenario runner (IO edge) for `vigil scenario run` and `vigil bench heal`.
 */
export { catalogue, loadScenario, runScenario } from "./runner.js";
export type { RunnerEnv, RunOptions, ScenarioRun } from "./runner.js";

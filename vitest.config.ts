import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    update: "none",
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          exclude: ["src/**/*.int.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        test: {
          name: "int",
          include: ["src/**/*.int.test.ts", "test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // Each file starts its own sandbox (unique name and state directory); most of an integration
          // test is waiting on controllers, so two files at a time roughly halve the wall time.
          fileParallelism: true,
          maxWorkers: 2,
          pool: "forks",
        },
      },
    ],
  },
});

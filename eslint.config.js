// Lint: typescript-eslint strict type-checked rules plus Vigil's boundaries.
// The pure core (model and the eight brains) may not reach the cluster, the network, the process or the clock.
import tseslint from "typescript-eslint";

const PURE = [
  "model",
  "api",
  "scenario",
  "bench",
  "health",
  "remediate",
  "forecast",
  "autoscale",
  "rightsize",
  "logmine",
  "anomaly",
  "incident",
];
const EDGE = ["kube", "metrics", "alert", "llm", "mcp", "web", "sandbox", "controller", "cli", "loki"];

const viaIndex = {
  regex: String.raw`^(\.\./)+[^./][^/]*/(?!(.*/)?index\.js$).+`,
  message: "import another folder through its index.js",
};
const house = [
  { selector: "TSEnumDeclaration", message: "use a union of string literals, not enum" },
  { selector: "ExportDefaultDeclaration", message: "named exports only" },
  {
    selector:
      "CallExpression[callee.property.name=/^(trace|debug|info|warn|error|fatal)$/][callee.object.name=/^(log|logger)$/] > :matches(TemplateLiteral, BinaryExpression)",
    message: "log messages are constant; put variable data in the object argument",
  },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "testbed/**", "coverage/**", "eslint.config.js", "bin/**"] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // @kubernetes/client-node models are classes that the API treats as plain JSON data.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "no-restricted-syntax": ["error", ...house],
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: [viaIndex] }],
    },
  },
  {
    files: [`src/{${PURE.join(",")}}/**/*.ts`],
    ignores: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            viaIndex,
            { group: EDGE.map((e) => `../${e}/*`), message: "the core is pure: take data or a port" },
            {
              regex:
                "^(node:|@kubernetes/|undici|pino|openai|@anthropic-ai/|@google/|ollama|@modelcontextprotocol/|commander|@peculiar/)",
              message: "no IO in the core",
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        "process",
        "console",
        "fetch",
        "setTimeout",
        "setInterval",
        "setImmediate",
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now" },
        { object: "Math", property: "random" },
      ],
      "no-restricted-syntax": [
        "error",
        ...house,
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "the clock is a parameter",
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/sandbox/**", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "node:child_process", message: "only src/sandbox starts processes" }] },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit" },
        { object: "process", property: "env" },
        { object: "process", property: "argv" },
      ],
    },
  },
  {
    files: ["*.config.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-restricted-imports": "off",
    },
  },
);

/**
 * @module
 * Vigil as an MCP server: the assistant's read-only, redacted, capped tools over stdio or streamable HTTP.
 */
export { createMcpServer, serveHttp, serveStdio, type HttpServing, type McpDeps } from "./server.js";

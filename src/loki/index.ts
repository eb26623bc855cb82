/**
 * @module
 * The Loki edge: LogQL log queries over `query_range`, paginated and bounded in lines, bytes and pages.
 */
export { LokiError, lokiReader, queryRangeUrl, type LokiQuery, type LokiReader } from "./query.js";

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One series of an instant vector, as Prometheus sends it: labels and `[unix seconds, "value"]`. */
export const series = (metric: Record<string, string>, value = '1') => ({
  metric,
  value: [1764518400.123, value],
});

/** Prometheus' answer to a query that selects `result` (an instant vector). */
export const vector = (result: ReturnType<typeof series>[]) => ({
  status: 'success',
  data: { resultType: 'vector', result },
});

/** Prometheus' error answer (HTTP 400 bad_data for a query it cannot parse, 503 when it is unavailable). */
export const promError = (errorType: string, error: string) => ({ status: 'error', errorType, error });

export interface PrometheusStandIn {
  /** The base URL (BLOCK_PROMETHEUS_URL), without /api/v1/query. */
  url: string;
  /** The queries asked, in order (the `query` parameter of GET /api/v1/query). */
  queries: string[];
  /** What the next queries get: an HTTP status and a body (JSON, or raw text for a broken server). */
  answer(status: number, body: unknown): void;
  stop(): Promise<void>;
}

/** A local HTTP server that speaks Prometheus' GET /api/v1/query, answering what the test sets. */
export async function startPrometheus(): Promise<PrometheusStandIn> {
  let reply: { status: number; body: unknown } = { status: 200, body: vector([]) };
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/query') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    queries.push(url.searchParams.get('query') ?? '');
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    answer(status, body) {
      reply = { status, body };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

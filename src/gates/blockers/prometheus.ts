import { z } from 'zod';
import type { Blocker } from '../blocker.js';

/** Prometheus' `/api/v1/query` answer (https://prometheus.io/docs/prometheus/latest/querying/api/). */
const QueryAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.string(),
      result: z.unknown(),
    }),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** The series of a vector or matrix answer; the labels name what holds. */
const Series = z.array(z.object({ metric: z.record(z.string(), z.string()).default({}) }).loose());

const TIMEOUT_MS = 10_000;

const describeSeries = (metric: Record<string, string>) => {
  const { __name__: name, ...labels } = metric;
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return `${name ?? ''}{${inner}}`;
};

/**
 * BLOCK_PROMETHEUS_URL + BLOCK_PROMETHEUS_QUERY: a query with any result (a firing alert, say)
 * holds new drains. Unreachable, a non-success answer or one that is not Prometheus' holds too.
 */
export function prometheusQuery(url: string, query: string): Blocker {
  const endpoint = new URL('api/v1/query', url.endsWith('/') ? url : `${url}/`);
  endpoint.searchParams.set('query', query);
  const cannot = (what: string) =>
    `cannot tell whether the Prometheus query \`${query}\` holds (${what}); new drains wait until it answers`;
  return {
    name: 'Prometheus',
    scope: 'fleet',
    async holds() {
      let status: number;
      let body: string;
      try {
        const response = await fetch(endpoint, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        status = response.status;
        body = await response.text();
      } catch (error) {
        const cause = (error as { cause?: Error }).cause;
        return cannot(`${endpoint.origin} unreachable: ${cause?.message ?? (error as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return cannot(`HTTP ${status}, not JSON: ${body.slice(0, 120)}`);
      }
      const parsed = QueryAnswer.safeParse(json);
      if (!parsed.success) return cannot(`HTTP ${status}, not a Prometheus query answer`);
      const answer = parsed.data;
      if (answer.status === 'error') {
        return cannot(
          `Prometheus answered ${status} ${answer.errorType ?? 'error'}: ${answer.error ?? 'no message'}`,
        );
      }
      const { resultType } = answer.data;
      const series = Series.safeParse(answer.data.result);
      if (!['vector', 'matrix'].includes(resultType) || !series.success) {
        return cannot(`the query gives a ${resultType}, not series: use a query that selects series`);
      }
      const result = series.data;
      if (result.length === 0) return undefined;
      const first = describeSeries(result[0]!.metric);
      const more = result.length > 1 ? ` and ${result.length - 1} more` : '';
      return `the Prometheus query \`${query}\` returns ${first}${more}; new drains wait until it returns nothing`;
    },
  };
}

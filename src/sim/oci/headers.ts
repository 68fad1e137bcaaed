import type { IncomingHttpHeaders } from 'node:http';

/** One header's value; a repeated header reads as its values joined, as HTTP defines. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

// helmet's security headers, computed once. @fastify/helmet built helmet's middleware and
// parsed its CSP directives again for every request (two onRequest hooks, one async): 9.7 %
// of the server's CPU on a cached track page (docs/benchmarks-http.md). The headers do not
// depend on the request, so helmet runs once here against a recording response and the request
// hook (request-hooks.ts) copies the result onto every reply. Pages replace the CSP with their own
// (src/http/web.ts); the test in test/http/security-headers.test.ts holds every reply to
// helmet's own output.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet's middleware sets (names lower-case), with its options. */
export function helmetHeaders(options?: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  return headers;
}

/** helmet's headers for every reply, computed once. */
export function securityHeaders(options?: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  return Object.freeze(helmetHeaders(options));
}

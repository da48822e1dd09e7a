// Child process for the crash test: the real app on a given database file, printing its port.
// Deferred indexes fold every 50 ms, so the kill is likely to land around a fold.
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';

const config = loadConfig({ dbPath: process.argv[2], logLevel: 'silent', port: 0, host: '127.0.0.1', cachePreload: false, deferredIndexMs: 50 }, {});
const ctx = createContext(config);
const app = await buildApp(ctx, { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);

// The baseline: Fastify alone, one route with a fixed JSON reply. Every HTTP figure is read as
// a ratio to this, so machine speed and load cancel out. Usage: bare-server.ts [bytes]; with a
// size, the reply is an object of about that many bytes of JSON (serialised on every request,
// as Fastify does), the ceiling for a route answering a track of that size.
import Fastify from 'fastify';
import { announce } from './announce.ts';

const bytes = Number(process.argv[2] ?? 0);
const small = { status: 'ok', name: 'Enter Sandman', artist: 'Metallica' };
const reply = bytes > 0 ? { ...small, padding: 'x'.repeat(Math.max(0, bytes - JSON.stringify(small).length - 14)) } : small;

const app = Fastify({ logger: false });
app.get('/', async () => reply);

await app.listen({ port: 0, host: '127.0.0.1' });
announce(app, { bytes: JSON.stringify(reply).length });

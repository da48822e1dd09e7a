// The baseline: Fastify alone, one route with a fixed small JSON reply. Every HTTP figure
// is read as a ratio to this, so machine speed and load cancel out.
import Fastify from 'fastify';
import { announce } from './announce.ts';

const app = Fastify({ logger: false });
const reply = { status: 'ok', name: 'Enter Sandman', artist: 'Metallica' };
app.get('/', async () => reply);

await app.listen({ port: 0, host: '127.0.0.1' });
announce(app, {});

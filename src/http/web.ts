// The browser pages: the storefront at / and the admin dashboard at /admin. Both are
// TypeScript bundles (src/web/pages, built by src/web/build.ts at start when stale) that talk
// only to the public JSON API; this plugin serves their hashed files with year-long immutable
// caching, and one small HTML shell per page route with a strict Content-Security-Policy.

import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BundleName, DEFAULT_WEB_DIR, ensureWebBuild, type WebManifest } from '../web/index.ts';

/** Storefront routes (the client router knows the same list); anything else HTML is a 404 page. */
export const STOREFRONT_ROUTES = [
  '/',
  '/search',
  '/tracks/:slug',
  '/artists',
  '/artists/:slug',
  '/albums',
  '/albums/:slug',
  '/genres',
  '/genres/:slug',
  '/playlists',
  '/playlists/:slug',
  '/login',
  '/register',
  '/account',
  '/cart',
  '/orders/:id',
];

// No 'unsafe-inline' anywhere: scripts and styles come only from our own files; the pages
// set styles through the CSSOM (element.style), which style-src does not govern.
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function shell(manifest: WebManifest, bundle: BundleName, title: string): string {
  const b = manifest.bundles[bundle];
  const asset = (f: string) => escapeAttr(`/assets/${f}`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeAttr(title)}</title>`,
    '<meta name="description" content="Chinook music store: search the catalog and buy tracks, with recommendations from what you buy and play.">',
    `<link rel="icon" type="image/svg+xml" href="${asset(manifest.favicon)}">`,
    b.css ? `<link rel="stylesheet" href="${asset(b.css)}">` : '',
    `<script type="module" src="${asset(b.js)}"></script>`,
    '</head>',
    `<body><div id="app" class="app app-${bundle}"><div class="boot" aria-busy="true"><header class="site-header"></header></div></div>`,
    '<noscript><p class="noscript">This store needs JavaScript. The JSON API is at <a href="/docs">/docs</a>.</p></noscript>',
    '</body>',
    '</html>',
  ].join('');
}

export interface WebOptions {
  /** Where built files go (tests may point this elsewhere). */
  webDir?: string;
}

export async function webRoutes(app: FastifyInstance, options: WebOptions = {}): Promise<void> {
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const manifest = await ensureWebBuild(webDir);
  const pages = {
    storefront: shell(manifest, 'storefront', 'Chinook music store'),
    admin: shell(manifest, 'admin', 'Chinook admin'),
  };

  await app.register(fastifyStatic, {
    root: path.join(webDir, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    // Names carry a content hash: a file never changes, so browsers keep it for a year.
    immutable: true,
    maxAge: '365d',
    preCompressed: true,
  });

  const send = (request: FastifyRequest, reply: FastifyReply, page: keyof typeof pages, status = 200) => {
    const csp = request.protocol === 'https' ? `${PAGE_CSP}; upgrade-insecure-requests` : PAGE_CSP;
    return reply
      .status(status)
      .header('content-security-policy', csp)
      .header('cache-control', 'no-cache')
      .header('content-type', 'text/html; charset=utf-8')
      .send(pages[page]);
  };

  // A page's address carries the page's own parameters (q, filters, cursor, next …), read and
  // checked by its script; the server sends the same shell whatever they are. So page routes
  // take any query (a schema with no type), unlike the API's routes, which refuse unknown ones.
  const hide = { schema: { hide: true, querystring: {} } };
  for (const url of STOREFRONT_ROUTES) app.get(url, hide, (req, reply) => send(req, reply, 'storefront'));

  // The dashboard shell only for admins: a logged-in customer gets the storefront's
  // "not allowed" page (403), somebody not logged in is sent to log in first.
  const admin = (req: FastifyRequest, reply: FastifyReply) => {
    if (req.auth?.user.role === 'admin') return send(req, reply, 'admin');
    if (req.auth) return send(req, reply, 'storefront', 403);
    return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
  };
  app.get('/admin', hide, admin);
  app.get('/admin/*', hide, admin);

  // A person who mistypes a page address gets the store's 404 page, not JSON; API clients
  // (and anything not asking for HTML) still get the JSON 404.
  app.get('/*', hide, (req, reply) => {
    const accept = req.headers.accept ?? '';
    if (req.url.startsWith('/api/') || !accept.includes('text/html')) return reply.callNotFound();
    return send(req, reply, 'storefront', 404);
  });
}

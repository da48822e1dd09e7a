import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_PASSWORD, normaliseEmail } from '../../../accounts/index.ts';
import { ApiError } from '../../../errors.ts';
import { clearSessionCookie, requireUser, setSessionCookie } from '../../auth.ts';
import { ErrorReply } from '../../schemas.ts';

export const UserSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
  customerId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
});
const SessionReply = Type.Object({ user: UserSchema, csrfToken: Type.String() });
const Credentials = {
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD }),
};
const authErrors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 409: ErrorReply, 413: ErrorReply, 415: ErrorReply, 429: ErrorReply };
// One message for unknown email and wrong password: the reply must not reveal which emails exist.
const badCredentials = () => new ApiError(401, 'invalid_credentials', 'Email or password is wrong.');

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, store, config } = app.ctx;
  await app.register(rateLimit, {
    global: false,
    store: accounts.limits.rateLimitStore(),
    // If the database cannot count, let the request through: the per-account throttle and the
    // login itself need the same database and will answer for themselves.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'too_many_requests',
      message: `Too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s.`,
    }),
  });
  const limited = { rateLimit: { max: config.loginRatePerMinute, timeWindow: 60_000 } };
  const meta = (req: { ip: string; headers: Record<string, unknown> }) => ({ ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });

  app.post(
    '/api/auth/register',
    {
      config: limited,
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (and log in)',
        body: Type.Object({ ...Credentials, displayName: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: SessionReply, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = await accounts.users.register(req.body);
      const { token, session } = await accounts.sessions.create(user.id, meta(req));
      await store.activity.record({
        logName: 'auth',
        description: 'registered',
        subjectType: 'user',
        subjectId: user.id,
        causerType: 'user',
        causerId: user.id,
      });
      setSessionCookie(req, reply, token);
      return reply.status(201).send({ user, csrfToken: session.csrfToken });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: limited,
      schema: {
        tags: ['accounts'],
        summary: 'Log in; sets the session cookie and returns the CSRF token',
        body: Type.Object(Credentials, { additionalProperties: false }),
        response: { 200: SessionReply, ...authErrors },
      },
    },
    async (req, reply) => {
      const account = normaliseEmail(req.body.email);
      // Counted before the password is checked: concurrent guesses cannot outrun the count.
      const wait = await accounts.throttle.attempt(account, req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'too_many_requests', `Too many login attempts for this account from here; try again in ${wait} s.`);
      }
      const user = await accounts.users.authenticate(req.body.email, req.body.password);
      if (!user) {
        await store.activity.record({ logName: 'auth', description: 'login failed', properties: { email: account.slice(0, 320), ip: req.ip } });
        throw badCredentials();
      }
      await accounts.throttle.succeeded(account, req.ip);
      if (req.auth) await accounts.sessions.revoke(req.auth.session.id); // no session fixation
      const { token, session } = await accounts.sessions.create(user.id, meta(req));
      await store.activity.record({
        logName: 'auth',
        description: 'logged in',
        subjectType: 'user',
        subjectId: user.id,
        causerType: 'user',
        causerId: user.id,
      });
      setSessionCookie(req, reply, token);
      return { user, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['accounts'], summary: 'End this session (needs x-csrf-token)', response: { 204: Type.Null(), ...authErrors } } },
    async (req, reply) => {
      const { session, user } = requireUser(req);
      await accounts.sessions.revoke(session.id);
      await store.activity.record({
        logName: 'auth',
        description: 'logged out',
        subjectType: 'user',
        subjectId: user.id,
        causerType: 'user',
        causerId: user.id,
      });
      clearSessionCookie(req, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/csrf',
    {
      schema: { tags: ['accounts'], summary: 'The CSRF token of this session', response: { 200: Type.Object({ csrfToken: Type.String() }), 401: ErrorReply } },
    },
    async (req) => ({ csrfToken: requireUser(req).session.csrfToken }),
  );
};

/**
 * HS256 JWTs for the example chat (jose). `sub` is the user id (`user_…` or `agent_…`), the
 * optional `name` claim the display name. Tokens are verified strictly: HS256 only (no `none`,
 * no algorithm confusion), `exp` required, optional issuer/audience when configured.
 */
import { jwtVerify, SignJWT, errors } from 'jose';

/** Who is connected, as the handlers see it. */
export interface ChatPrincipal {
  /** `user_…` for customers, `agent_…` for support agents. */
  userId: string;
  /** Display name (the `name` claim, else the user id). */
  name: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

/** Verification settings. */
export interface TokenOptions {
  secret: string;
  issuer?: string;
  audience?: string;
}

const USER_ID = /^(user|agent)_[A-Za-z0-9]+$/;

/** Verifies a token; returns the principal or null (never throws, never logs the token). */
export async function verifyToken(token: string | undefined, options: TokenOptions): Promise<ChatPrincipal | null> {
  if (token === undefined || token === '') return null;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      issuer: options.issuer,
      audience: options.audience,
    });
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub) || payload.exp === undefined) return null;
    const name = typeof payload['name'] === 'string' && payload['name'].trim() !== '' ? payload['name'].slice(0, 100) : payload.sub;
    return { userId: payload.sub, name, expiresAt: payload.exp * 1000 };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** Signs a token (for tests, the CLI client and the web page's dev login). */
export async function signToken(claims: { sub: string; name?: string; expiresInSeconds?: number; notBefore?: number; issuer?: string; audience?: string }, secret: string): Promise<string> {
  let jwt = new SignJWT(claims.name === undefined ? {} : { name: claims.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresInSeconds ?? 3600));
  if (claims.notBefore !== undefined) jwt = jwt.setNotBefore(claims.notBefore);
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

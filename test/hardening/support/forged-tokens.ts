/**
 * Tokens an attacker would try — forged, expired, misaddressed, junk — and presenting one at
 * the upgrade (query parameter or `bearer` subprotocol) to see what the server answers.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { signToken, type TokenOptions } from '../../../examples/tokens.js';
import { RawClient } from './common.js';

const PATH = '/v1/ws/chat';

/** One forged or broken token and how to present it. */
export interface TokenCase {
  name: string;
  token: string | undefined;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS with any header, signed with HMAC-SHA256 of `secret` whatever `alg` says. */
function hmacJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Tokens the server must refuse (each with a name), for a server configured with `tokens`. */
export async function forgedTokens(tokens: TokenOptions & { issuer: string; audience: string }): Promise<TokenCase[]> {
  const { secret, issuer, audience } = tokens;
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'user_mallory', iss: issuer, aud: audience, exp: now + 3600, iat: now };
  const valid = await signToken({ sub: 'user_mallory', issuer, audience }, secret);
  const [validHeader, validPayload, validSignature] = valid.split('.') as [string, string, string];
  const rsa = await generateKeyPair('RS256');
  const sign = (alg: string, payload: Record<string, unknown> = claims) => new SignJWT(payload).setProtectedHeader({ alg }).sign(key);
  return [
    { name: 'no token', token: undefined },
    { name: 'empty token', token: '' },
    { name: 'not a JWT', token: 'not-a-jwt' },
    { name: 'alg none', token: new UnsecuredJWT(claims).encode() },
    { name: 'alg none, signature kept', token: `${b64({ alg: 'none', typ: 'JWT' })}.${validPayload}.${validSignature}` },
    { name: 'alg NONE (case)', token: `${b64({ alg: 'NONE' })}.${validPayload}.` },
    { name: 'HS512 with the right secret', token: await sign('HS512') },
    { name: 'HS384 with the right secret', token: await sign('HS384') },
    { name: 'RS256 with a real key pair', token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey) },
    { name: 'RS256 header, HMAC signature (algorithm confusion)', token: hmacJwt({ alg: 'RS256', typ: 'JWT' }, claims, secret) },
    { name: 'HS256 with a wrong secret', token: await signToken({ sub: 'user_mallory', issuer, audience }, `${secret}x`) },
    { name: 'expired', token: await signToken({ sub: 'user_mallory', issuer, audience, expiresInSeconds: -60 }, secret) },
    { name: 'expired one second ago', token: await sign('HS256', { ...claims, exp: now - 1 }) },
    { name: 'not yet valid (nbf in the future)', token: await signToken({ sub: 'user_mallory', issuer, audience, notBefore: now + 3600 }, secret) },
    { name: 'wrong audience', token: await signToken({ sub: 'user_mallory', issuer, audience: 'another-api' }, secret) },
    { name: 'no audience', token: await signToken({ sub: 'user_mallory', issuer }, secret) },
    { name: 'wrong issuer', token: await signToken({ sub: 'user_mallory', issuer: 'https://evil.example', audience }, secret) },
    { name: 'no issuer', token: await signToken({ sub: 'user_mallory', audience }, secret) },
    { name: 'no exp', token: await sign('HS256', { sub: 'user_mallory', iss: issuer, aud: audience }) },
    { name: 'no sub', token: await sign('HS256', { iss: issuer, aud: audience, exp: now + 3600 }) },
    { name: 'sub not a chat user', token: await sign('HS256', { ...claims, sub: 'admin' }) },
    { name: 'payload tampered (signature of another payload)', token: `${validHeader}.${b64({ ...claims, sub: 'agent_root' })}.${validSignature}` },
    { name: 'signature stripped', token: `${validHeader}.${validPayload}.` },
    { name: 'unknown critical header', token: hmacJwt({ alg: 'HS256', crit: ['x-wsgen'], 'x-wsgen': 1 }, claims, secret) },
    { name: 'unencoded payload (b64: false)', token: hmacJwt({ alg: 'HS256', b64: false, crit: ['b64'] }, claims, secret) },
    { name: 'exp as a string', token: await sign('HS256', { ...claims, exp: String(now + 3600) }) },
  ];
}

/** Random junk shaped more or less like a JWT. */
export function junkTokens(count: number, seed: number): string[] {
  const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
  const header = fc.record({ alg: fc.constantFrom('none', 'HS256', 'HS512', 'RS256', 'ES256', 'PS256', 'EdDSA', '', 'hs256'), kid: fc.option(fc.string({ maxLength: 10 })) }).map((value) => b64(value));
  return fc.sample(
    fc.oneof(
      fc.tuple(header, segment, segment).map((parts) => parts.join('.')),
      fc.tuple(segment, segment, segment, segment).map((parts) => parts.join('.')),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 300 }),
    ),
    { numRuns: count, seed },
  );
}

/** Outcome of presenting one token. */
export interface Presentation {
  name: string;
  placement: 'query' | 'subprotocol';
  /** HTTP status of the refusal, or 'open' when the connection opened. */
  outcome: number | 'open' | 'no response';
  body: string;
}

/** Presents `token` at an upgrade (query or `bearer` subprotocol) and reports what happened. */
export async function present(port: number, name: string, token: string | undefined, placement: 'query' | 'subprotocol', origin?: string): Promise<Presentation> {
  const query = placement === 'query' && token !== undefined ? `?token=${encodeURIComponent(token)}` : '';
  const protocols = placement === 'subprotocol' && token !== undefined ? ['bearer', token] : [];
  try {
    const client = await RawClient.open(`ws://127.0.0.1:${port}${PATH}${query}`, { protocols, ...(origin === undefined ? {} : { origin }) });
    client.terminate();
    return { name, placement, outcome: 'open', body: '' };
  } catch (error) {
    const { status, body, headers } = error as { status?: number; body?: string; headers?: unknown };
    return { name, placement, outcome: status ?? 'no response', body: `${(error as Error).message} ${JSON.stringify(headers ?? {})} ${body ?? ''}` };
  }
}

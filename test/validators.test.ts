/**
 * The generated validators (generated/src/validators.ts, compiled by Ajv standalone) accept every
 * example of the document and of the Petstore guide, and reject invalid frames with a JSON path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import * as validators from '../generated/src/validators.js';
import { protocol } from '../generated/src/protocol.js';
import { classify } from '../src/runtime/protocol.js';
import { repoRoot } from './support/packages.js';

type Validator = (value: unknown) => { ok: true; value: unknown } | { ok: false; issues: { path: string; message: string }[] };
const byName = validators as unknown as Record<string, Validator>;
const document = parse(readFileSync(path.join(repoRoot, 'asyncapi.yaml'), 'utf8')) as { components: { messages: Record<string, { examples?: { name: string; payload: unknown }[] }> } };
const channel = protocol.channels[0]!;

const examples = Object.entries(document.components.messages).flatMap(([key, message]) =>
  (message.examples ?? []).map((example) => ({ key, name: example.name, payload: example.payload })),
);
const validatorFor = (key: string): Validator => {
  const name = `validate${key === 'error' ? 'ErrorMessage' : key[0]!.toUpperCase() + key.slice(1)}`;
  const validator = byName[name];
  if (validator === undefined) throw new Error(`no validator ${name}`);
  return validator;
};

describe('generated validators', () => {
  it('has at least one example per message', () => {
    expect(new Set(examples.map((example) => example.key)).size).toBe(Object.keys(document.components.messages).length);
  });

  it.each(examples)('accepts the document example $key/$name', ({ key, payload }) => {
    expect(validatorFor(key)(payload)).toEqual({ ok: true, value: payload });
  });

  const guide = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/petstore-guide-frames.json'), 'utf8')) as { frames: { type: string; payload: Record<string, unknown> }[] };
  it.each(guide.frames.map((frame, index) => ({ index, frame })))('accepts guide frame #$index in the direction it travels', ({ frame }) => {
    // The guide's "Receive" chat frame carries a server-assigned messageId: it is the server's broadcast.
    const fromServer = 'messageId' in frame.payload || frame.type === 'agentAssigned';
    const routes = fromServer ? channel.serverToClient : channel.clientToServer;
    const result = classify(routes, channel.discriminator, frame);
    expect(result.ok).toBe(true);
  });

  const valid = { type: 'chatMessage', id: 'req-1', payload: { conversationId: 'conv_abc123', senderId: 'user_xyz789', content: 'Hello', timestamp: '2025-01-06T12:00:00Z' } };
  const invalid: { name: string; frame: unknown; path: string }[] = [
    { name: 'missing required field', frame: { ...valid, payload: { ...valid.payload, content: undefined } }, path: '/payload/content' },
    { name: 'wrong type', frame: { ...valid, payload: { ...valid.payload, content: 42 } }, path: '/payload/content' },
    { name: 'extra property', frame: { ...valid, extra: true }, path: '/extra' },
    { name: 'pattern violation', frame: { ...valid, payload: { ...valid.payload, conversationId: 'abc' } }, path: '/payload/conversationId' },
    { name: 'oversized string', frame: { ...valid, payload: { ...valid.payload, content: 'x'.repeat(2001) } }, path: '/payload/content' },
    { name: 'bad date-time', frame: { ...valid, payload: { ...valid.payload, timestamp: 'yesterday' } }, path: '/payload/timestamp' },
    { name: 'wrong discriminator', frame: { ...valid, type: 'typingStarted' }, path: '/type' },
  ];

  it('accepts a valid chat message', () => {
    expect(validators.validateChatMessage(valid).ok).toBe(true);
  });

  it.each(invalid)('rejects $name with a JSON path', ({ frame, path: expectedPath }) => {
    const result = validators.validateChatMessage(JSON.parse(JSON.stringify(frame)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain(expectedPath);
  });

  it('classifies unknown types and invalid frames', () => {
    expect(classify(channel.clientToServer, 'type', { type: 'nope', payload: {} })).toMatchObject({ ok: false, code: 'unknown_message_type', type: 'nope' });
    expect(classify(channel.clientToServer, 'type', { type: 'chatMessage', payload: {} })).toMatchObject({ ok: false, code: 'invalid_message' });
  });

  it('contains no eval or runtime schema compilation (CSP-safe)', () => {
    const code = readFileSync(path.join(repoRoot, 'generated/src/validators-standalone.ts'), 'utf8');
    expect(code).not.toMatch(/new Function\(|\beval\(|(?<!['"])\brequire\(/);
  });
});

/** Identifiers from document names: valid, stable, never shadowing, collisions detected. */
import { describe, expect, it } from 'vitest';
import { camelCase, NameRegistry, packageNameFrom, pascalCase } from '../src/ir/naming.js';
import { detectDiscriminator } from '../src/ir/discriminator.js';
import { WsgenError } from '../src/errors.js';

describe('naming', () => {
  it.each([
    ['chat message', 'ChatMessage'],
    ['chat_message', 'ChatMessage'],
    ['new-order', 'NewOrder'],
    ['order.placed', 'OrderPlaced'],
    ['2fa_challenge', '_2faChallenge'],
    ['HTTPServer', 'HTTPServer'],
    ['error', 'ErrorType'],
    ['type', 'TypeType'],
    ['Object', 'ObjectType'],
    ['', 'Unnamed'],
  ])('pascalCase(%j) = %j', (input, expected) => {
    expect(pascalCase(input)).toBe(expected);
  });

  it.each([
    ['Chat message', 'chatMessage'],
    ['delete', 'delete_'],
    ['class', 'class_'],
    ['9lives', '_9lives'],
  ])('camelCase(%j) = %j', (input, expected) => {
    expect(camelCase(input)).toBe(expected);
  });

  it('derives npm package names', () => {
    expect(packageNameFrom('Petstore Support Chat')).toBe('petstore-support-chat');
    expect(packageNameFrom('!!!')).toBe('asyncapi-client');
  });

  it('lets one owner claim a name twice, falls back, and fails with a coded collision', () => {
    const registry = new NameRegistry();
    const a = {};
    const b = {};
    expect(registry.claim('Order', a, 'message order at #/components/messages/order')).toBe('Order');
    expect(registry.claim('Order', a, 'again')).toBe('Order');
    expect(registry.claimFirst(['Order', 'OrderMessage'], b, 'message Order at #/channels/x/messages/Order')).toBe('OrderMessage');
    expect(registry.notes[0]).toMatch(/is named `OrderMessage`: `Order` is taken/);
    const error = (() => {
      try {
        registry.claim('Order', b, 'schema Order at #/components/schemas/Order');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WsgenError);
    expect((error as WsgenError).code).toBe('WSGEN_E_NAME_COLLISION');
    expect((error as WsgenError).problems[0]?.location?.jsonPath).toBe('#/components/schemas/Order');
  });
});

describe('discriminator detection', () => {
  const frame = (type: string, extra: Record<string, unknown> = {}) => ({ type: 'object', required: ['type', 'payload'], properties: { type: { type: 'string', const: type }, payload: {}, ...extra } });
  it('finds `type` when every message requires a distinct const', () => {
    expect(detectDiscriminator([[frame('a'), frame('b')], [frame('a'), frame('c')]])).toBe('type');
  });
  it('gives none when a direction repeats a value or a message lacks the property', () => {
    expect(detectDiscriminator([[frame('a'), frame('a')]])).toBeUndefined();
    expect(detectDiscriminator([[frame('a'), { type: 'object', properties: { text: { type: 'string' } } }]])).toBeUndefined();
  });
  it('accepts one-value enums and other property names', () => {
    const event = (value: string) => ({ type: 'object', required: ['event'], properties: { event: { enum: [value] } } });
    expect(detectDiscriminator([[event('join'), event('leave')]])).toBe('event');
  });
});

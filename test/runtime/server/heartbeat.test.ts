/**
 * Heartbeat: pings every heartbeatIntervalMs; a peer that stops answering is terminated.
 */
import { afterEach, expect, it } from 'vitest';
import { CloseCode } from '../../../src/runtime/codes.js';
import { ALICE } from './fixture.js';
import { cleanup, closed, connect, sleep, startServer, until } from './helpers.js';

afterEach(cleanup);

const CHAT = `/v1/ws/chat?token=${ALICE}`;

it('terminates a client that does not answer pings, and keeps one that does', async () => {
  const { url, disconnects, server } = await startServer({ limits: { heartbeatIntervalMs: 100 } });
  const silent = await connect(url(CHAT), { autoPong: false });
  const healthy = await connect(url(CHAT));
  let pings = 0;
  healthy.on('ping', () => pings++);
  // Terminated, not closed: the client sees an abnormal closure.
  expect((await closed(silent, 2_000)).code).toBe(CloseCode.ABNORMAL);
  await until(() => disconnects.length > 0, 1_000, 'onDisconnect');
  expect(disconnects).toEqual([expect.objectContaining({ code: CloseCode.ABNORMAL, reason: 'heartbeat timeout' })]);
  await sleep(300);
  expect(healthy.readyState).toBe(healthy.OPEN);
  expect(pings).toBeGreaterThanOrEqual(3);
  expect(server.stats().connections).toBe(1);
});

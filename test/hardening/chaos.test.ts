/**
 * Chaos, smoke size: 40 generated clients on two example-server processes sharing a real
 * redis-server, for ~15 s, while an instance is killed -9 and restarted (twice), redis-server is
 * killed -9 and restarted, and random connections are cut. Asserts what the design guarantees;
 * the model is described in `support/chaos-scenario.ts` and RELIABILITY.md.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runChaos } from './support/chaos-scenario.js';

describe('chaos: two instances, Redis, kills and cut connections', () => {
  it('keeps the delivery guarantees of the design', async () => {
    expect(spawnSync('redis-server', ['--version']).error, 'redis-server must be installed').toBeUndefined();
    const result = await runChaos({ clients: 40, conversations: 4, durationMs: 15_000, thinkMs: 150, cutEveryMs: 700, seed: 7 });
    console.log(`chaos (smoke): ${JSON.stringify(result, null, 1)}`);
    expect(result.crashes).toEqual([]);
    expect(result.faults).toMatchObject({ instanceKills: 2, redisKills: 1 });
    expect(result.faults.connectionsCut).toBeGreaterThan(5);
    expect(result.acknowledged).toBeGreaterThan(500);
    expect(result.notRecovered).toEqual([]);
    expect(result.closedForGood).toEqual({});
    // A request may time out (its one re-send lost too), never be refused.
    expect(Object.keys(result.rejections).filter((code) => code !== 'request_timeout')).toEqual([]);
    // The guarantees.
    expect(result.lostExamples).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.qualifyingPairs).toBeGreaterThan(1_000);
    expect(result.duplicatesById).toBe(0);
    expect(result.duplicatesOutsideCrashWindow).toEqual([]);
    expect(result.reorderExamples).toEqual([]);
    expect(result.reordered).toBe(0);
  }, 150_000);
});

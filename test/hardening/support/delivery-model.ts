/**
 * The delivery guarantees of the example chat across instances, and their evaluation over what
 * the chaos clients recorded.
 *
 * The design: messages fan out through PubSub — in-process to the sender's instance, through
 * Redis Pub/Sub (at-most-once) to the others. The generated client re-sends an unanswered
 * request once after reconnecting; the example server deduplicates by (sender, frame id) in
 * memory, per instance. Topic membership belongs to a connection. Hence:
 *
 * - A message is *acknowledged* when its `request()` resolved with `messageDelivered`; the
 *   acknowledged message is the one with that reply's `messageId`.
 * - A receiver connection *qualifies* for an acknowledged message when it had joined the
 *   conversation (its own join indicator came back) before the request was made, stayed open
 *   until `graceMs` after the acknowledgement, and — when it sits on the other instance than the
 *   sender — Redis was not degraded (down, or not yet re-subscribed by both instances) at any
 *   time between request and acknowledgement. Same-instance delivery does not need Redis.
 * - Zero loss: every qualifying connection gets the message.
 * - No duplicates: no connection receives the same `messageId` twice.
 * - A request in flight while its sender's instance is killed may be stored and broadcast twice
 *   (the re-send reaches a process without the deduplication memory): two messageIds, same
 *   content. Counted; a content duplicate outside such a crash window is a failure.
 * - Per-sender order: on each connection, one sender's messages arrive in the order sent.
 */

/** One connection of a receiver: from open to close, with what arrived on it. */
export interface Epoch {
  start: number;
  /** When the relay of its own join indicator arrived (it is a member from then on). */
  joinAt: number | undefined;
  end: number | undefined;
  /** messageId → how many times it arrived. */
  seen: Map<string, number>;
  /** Per sender, seq numbers in arrival order (first arrivals only). */
  order: Map<string, number[]>;
}

/** An acknowledged request. */
export interface Ack {
  /** Index of the sender in `receivers`. */
  sender: number;
  seq: number;
  messageId: string;
  /** `request()` called. */
  t0: number;
  /** Acknowledgement received. */
  t1: number;
}

/** A client as the model sees it. */
export interface Receiver {
  userId: string;
  conversationId: string;
  instance: 0 | 1;
  epochs: Epoch[];
  /** `${sender userId}#${seq}` → messageIds that carried it, over all epochs. */
  contents: Map<string, Set<string>>;
}

/** Figures of one evaluation. */
export interface DeliveryFigures {
  /** (acknowledged message, qualifying connection) pairs, and how many of them missed it. */
  qualifyingPairs: number;
  lost: number;
  lostExamples: string[];
  /** Pairs outside the guarantee (overlapping connections that do not qualify), and how many still got it. */
  bestEffort: { delivered: number; pairs: number };
  duplicatesById: number;
  duplicatesByContent: number;
  duplicatesOutsideCrashWindow: string[];
  reordered: number;
  reorderExamples: string[];
  /** Time from `request()` to its acknowledgement: median, 99th percentile and maximum, ms. */
  ackLatencyMs: { p50: number; p99: number; max: number };
}

/** What was recorded during a run. */
export interface Recording {
  acks: readonly Ack[];
  receivers: readonly Receiver[];
  /** Intervals during which Redis was degraded. */
  degraded: ReadonlyArray<{ from: number; to: number }>;
  /** `${sender userId}#${seq}` of requests in flight on an instance when it was killed. */
  crashWindow: ReadonlySet<string>;
  /** End of the run (connections still open count as open until here). */
  end: number;
  /** Start of the run, for readable times in examples. */
  started: number;
  graceMs: number;
}

/** Figures of a recording with nothing in it. */
export function noDeliveries(): DeliveryFigures {
  return {
    qualifyingPairs: 0,
    lost: 0,
    lostExamples: [],
    bestEffort: { delivered: 0, pairs: 0 },
    duplicatesById: 0,
    duplicatesByContent: 0,
    duplicatesOutsideCrashWindow: [],
    reordered: 0,
    reorderExamples: [],
    ackLatencyMs: { p50: 0, p99: 0, max: 0 },
  };
}

/** Applies the model above to a recording. */
export function evaluateDeliveries(recording: Recording): DeliveryFigures {
  const { acks, receivers, degraded, crashWindow, end, started, graceMs } = recording;
  const figures = noDeliveries();
  const isDegraded = (from: number, to: number): boolean => degraded.some((window) => window.from <= to && from <= window.to);
  const byConversation = new Map<string, Receiver[]>();
  for (const receiver of receivers) byConversation.set(receiver.conversationId, [...(byConversation.get(receiver.conversationId) ?? []), receiver]);

  for (const ack of acks) {
    const sender = receivers[ack.sender] as Receiver;
    for (const receiver of byConversation.get(sender.conversationId) ?? []) {
      const crossInstance = receiver.instance !== sender.instance;
      for (const epoch of receiver.epochs) {
        if (epoch.start > ack.t1 || (epoch.end ?? end) < ack.t0) continue;
        const got = epoch.seen.has(ack.messageId);
        const qualifies = epoch.joinAt !== undefined && epoch.joinAt <= ack.t0 && (epoch.end ?? Infinity) >= ack.t1 + graceMs && !(crossInstance && isDegraded(ack.t0, ack.t1));
        if (!qualifies) {
          figures.bestEffort.pairs++;
          if (got) figures.bestEffort.delivered++;
          continue;
        }
        figures.qualifyingPairs++;
        if (got) continue;
        figures.lost++;
        if (figures.lostExamples.length < 10) {
          figures.lostExamples.push(`${sender.userId}#${ack.seq} (${ack.messageId}, +${ack.t0 - started}..${ack.t1 - started} ms) missing at ${receiver.userId}${crossInstance ? ' (other instance)' : ''}`);
        }
      }
    }
  }

  for (const receiver of receivers) {
    for (const epoch of receiver.epochs) {
      for (const count of epoch.seen.values()) if (count > 1) figures.duplicatesById += count - 1;
      for (const [sender, seqs] of epoch.order) {
        for (let i = 1; i < seqs.length; i++) {
          if ((seqs[i] as number) > (seqs[i - 1] as number)) continue;
          figures.reordered++;
          if (figures.reorderExamples.length < 10) figures.reorderExamples.push(`${receiver.userId} got ${sender}#${seqs[i]} after #${seqs[i - 1]}`);
        }
      }
    }
    for (const [key, ids] of receiver.contents) {
      if (ids.size < 2) continue;
      figures.duplicatesByContent += ids.size - 1;
      if (!crashWindow.has(key) && figures.duplicatesOutsideCrashWindow.length < 10) figures.duplicatesOutsideCrashWindow.push(`${key} arrived as ${[...ids].join(', ')} at ${receiver.userId}`);
    }
  }

  const latencies = acks.map((ack) => ack.t1 - ack.t0).sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  figures.ackLatencyMs = { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 };
  return figures;
}

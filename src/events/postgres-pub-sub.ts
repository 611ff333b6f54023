/**
 * depgate's pub/sub: @graphql-yoga/subscription's `createPubSub` publishing over an EventTarget that
 * travels through PostgreSQL LISTEN/NOTIFY, so an event published on any instance reaches
 * subscribers on every instance (DESIGN.md, "Scale-out") with no infrastructure beyond the
 * database. Each subscriber reads its own lean queue (event-queue.ts), not a yoga Repeater.
 *
 * - `dispatchEvent` (what `pubSub.publish` calls) only NOTIFYs; listeners are fed solely by the
 *   notifications coming back. The publishing instance therefore sees its own event exactly once,
 *   in the same order as every other instance.
 * - One channel for every topic; the topic rides in a `{topic, payload, id}` JSON envelope.
 * - Payloads stay under 8000 bytes (PostgreSQL's NOTIFY limit): ids and counters, not rows.
 * - Delivery is at-most-once and only to instances listening at the time: an event is a hint to
 *   re-read state, never the state itself.
 *
 * Only this module talks to LISTEN/NOTIFY.
 */
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Pool } from 'pg';
import type { SqlRunner } from '../database/sql-runner';
import type { Logger } from '../logger';
import { decodeEnvelope, encodeEnvelope, PubSubClosedError } from './envelope';
import { EventQueue } from './event-queue';
import { assertChannelName, NotifyListener, type ReconnectOptions } from './notify-listener';
import type { DepgateTopics } from './topics';

export const DEFAULT_EVENTS_CHANNEL = 'depgate_events';


type TopicArgs = { [key: string]: [] | [any] | [number | string, any] };

/** Payload type of a topic: the last element of its publish arguments. */
export type TopicPayload<TArgs extends TopicArgs, K extends keyof TArgs> = TArgs[K] extends [infer P]
  ? P
  : TArgs[K] extends [number | string, infer P]
    ? P
    : null;

export interface PublishOptions {
  /**
   * Run the NOTIFY on this executor instead of the default one. Pass a transaction's QueryRunner
   * or EntityManager and the event is sent only if and when that transaction commits (NOTIFY is
   * transactional), so subscribers never hear of a row they cannot read yet.
   */
  executor?: SqlRunner;
}

export interface PostgresPubSubOptions {
  connectionString: string;
  logger: Logger;
  /** Default `depgate_events`. Every instance of one deployment must use the same channel. */
  channel?: string;
  /**
   * Runs the NOTIFYs by default, e.g. the app's DataSource. Unset: a small pool of its own
   * (closed by `close()`).
   */
  executor?: SqlRunner;
  /** application_name of the LISTEN connection, to find it in pg_stat_activity. */
  applicationName?: string;
  reconnect?: ReconnectOptions;
  healthCheckIntervalMs?: number;
  /** Called after the LISTEN connection came back: events sent meanwhile were missed. */
  onReconnected?: () => void;
}

export interface PostgresPubSub<TArgs extends TopicArgs = DepgateTopics> {
  /**
   * For type-graphql's `buildSchema({ pubSub })` and resolvers. `pubSub.publish` is fire-and-forget
   * (its type returns void): a too-large payload throws at once, a database failure is only
   * logged. Prefer `publish` below in services.
   */
  pubSub: PubSub<TArgs>;
  /** Sends one event; resolves once PostgreSQL accepted the NOTIFY (or the given transaction did). */
  publish<K extends Extract<keyof TArgs, string>>(topic: K, payload: TopicPayload<TArgs, K>, options?: PublishOptions): Promise<void>;
  /** Connects the LISTEN client. Subscribers receive nothing before this resolves. */
  start(): Promise<void>;
  /** Ends every open subscription, stops listening, waits for queued publishes, closes its pool. */
  close(): Promise<void>;
  /** True while the LISTEN connection is up (readiness). */
  isListening(): boolean;
}

type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * The EventTarget handed to createPubSub. Not Node's EventTarget: Node reports a throwing listener
 * as an uncaught exception, and a subscriber more than 1024 events behind makes its EventQueue
 * throw from inside the listener. Here one failing listener is logged and the others still run.
 */
class PostgresEventTarget implements EventTarget {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly send: (topic: string, payload: unknown) => void,
    private readonly logger: Logger,
  ) {}

  addEventListener(type: string, listener: Listener | null): void {
    if (!listener) return;
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener | null): void {
    if (!listener) return;
    const set = this.listeners.get(type);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.listeners.delete(type);
  }

  /** Outgoing: what `pubSub.publish` calls. Goes to PostgreSQL only, never straight to listeners. */
  dispatchEvent(event: Event): boolean {
    this.send(event.type, (event as CustomEvent).detail);
    return true;
  }

  /** Incoming: an event that came back from PostgreSQL. */
  deliver(topic: string, payload: unknown): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    const event = new CustomEvent(topic, { detail: payload });
    for (const listener of [...set]) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (err) {
        this.logger.warn({ topic, err: { message: (err as Error).message } }, 'an event subscriber failed; event dropped for it');
      }
    }
  }

  listenerCount(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }
}

/**
 * One event from a process that publishes and never listens (the CLI: `npm run apikey -- revoke`
 * tells the running instances), on the deployment's channel, through that process's connection.
 */
export async function publishOnce<TArgs extends TopicArgs = DepgateTopics, K extends Extract<keyof TArgs, string> = Extract<keyof TArgs, string>>(
  executor: SqlRunner,
  topic: K,
  payload: TopicPayload<TArgs, K>,
  channel = DEFAULT_EVENTS_CHANNEL,
): Promise<void> {
  await executor.query('SELECT pg_notify($1, $2)', [assertChannelName(channel), encodeEnvelope(topic, payload)]);
}

export function createPostgresPubSub<TArgs extends TopicArgs = DepgateTopics>(options: PostgresPubSubOptions): PostgresPubSub<TArgs> {
  const { logger } = options;
  const channel = assertChannelName(options.channel ?? DEFAULT_EVENTS_CHANNEL);
  const ownPool = options.executor
    ? undefined
    : new Pool({ connectionString: options.connectionString, max: 2, application_name: 'depgate-events-publish' });
  ownPool?.on('error', (err) => logger.warn({ err: { message: err.message } }, 'events publish pool error'));
  const executor: SqlRunner = options.executor ?? ownPool!;
  let closed = false;

  // Publishes through the default executor go one at a time: each NOTIFY commits before the
  // next starts, so every listener sees them in publish order (PostgreSQL delivers in commit order).
  let queue: Promise<unknown> = Promise.resolve();
  const notify = (text: string, via?: SqlRunner): Promise<void> => {
    if (via) return via.query('SELECT pg_notify($1, $2)', [channel, text]).then(() => undefined);
    const sent = queue.then(() => executor.query('SELECT pg_notify($1, $2)', [channel, text]));
    queue = sent.catch(() => undefined);
    return sent.then(() => undefined);
  };

  const target = new PostgresEventTarget((topic, payload) => {
    if (closed) throw new PubSubClosedError();
    const text = encodeEnvelope(topic, payload); // throws synchronously when too large
    notify(text).catch((err: Error) => logger.error({ topic, err: { message: err.message } }, 'event publish failed'));
  }, logger);

  const listener = new NotifyListener({
    connectionString: options.connectionString,
    channel,
    logger,
    applicationName: options.applicationName,
    reconnect: options.reconnect,
    healthCheckIntervalMs: options.healthCheckIntervalMs,
    onReconnected: options.onReconnected,
    onNotification(text) {
      const envelope = decodeEnvelope(text);
      if (!envelope) {
        logger.warn({ channel }, 'ignored a notification that is not a depgate event');
        return;
      }
      target.deliver(envelope.topic, envelope.payload);
    },
  });

  const yoga = createPubSub<TArgs>({ eventTarget: target as never });

  // Open subscriptions, so that close() can end them: a GraphQL client that never unsubscribes
  // would otherwise keep its stream (and listener) forever.
  const open = new Set<EventQueue<unknown>>();
  const subscribe = (routingKey: string, id?: number | string): EventQueue<unknown> => {
    // yoga's topic naming, so that yoga.publish(routingKey, id, payload) reaches it.
    const topic = id === undefined ? routingKey : `${routingKey}:${id}`;
    const queue: EventQueue<unknown> = new EventQueue(
      (push) => {
        // Every subscriber of an instance gets the same payload object (shared execution keys on it).
        const listener = (event: Event) => push((event as CustomEvent).detail);
        target.addEventListener(topic, listener);
        return () => target.removeEventListener(topic, listener);
      },
      () => open.delete(queue),
    );
    if (closed) queue.end();
    else open.add(queue);
    return queue;
  };

  const pubSub: PubSub<TArgs> = {
    publish: yoga.publish,
    // The cast only restates yoga's own overloaded signature, which a wrapper cannot spell generically.
    subscribe: subscribe as unknown as PubSub<TArgs>['subscribe'],
  };

  return {
    pubSub,
    async publish(topic, payload, publishOptions = {}) {
      if (closed) throw new PubSubClosedError();
      await notify(encodeEnvelope(topic, payload), publishOptions.executor);
    },
    start: () => listener.start(),
    async close() {
      if (closed) return;
      closed = true;
      for (const queue of [...open]) queue.end();
      await listener.close();
      await queue;
      await ownPool?.end();
    },
    isListening: () => listener.listening,
  };
}

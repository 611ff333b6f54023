/**
 * The one dedicated, non-pooled connection an instance uses to LISTEN on the events channel, kept
 * alive across connection loss.
 *
 * Why not a pooled connection: LISTEN belongs to a session. A pool would hand the session to other
 * queries and close it when idle, silently ending the subscription.
 *
 * Delivery is at-most-once: NOTIFYs sent while this connection is down are not replayed.
 * `onReconnected` tells the owner so subscribers can refetch if they care.
 */
import { Client, type Notification } from 'pg';
import type { Logger } from '../logger';

export interface ReconnectOptions {
  /** First wait after the connection drops (doubled per failed attempt, with jitter). Default 250. */
  initialDelayMs?: number;
  /** Upper bound of the wait. Default 30000. */
  maxDelayMs?: number;
}

export interface NotifyListenerOptions {
  connectionString: string;
  channel: string;
  logger: Logger;
  /** Shown in pg_stat_activity; lets operators (and tests) find the listener's backend. */
  applicationName?: string;
  reconnect?: ReconnectOptions;
  /**
   * An idle LISTEN connection can die without a FIN (NAT, failover); a periodic `SELECT 1` notices
   * and triggers a reconnect. Default 30000; 0 disables it.
   */
  healthCheckIntervalMs?: number;
  onNotification(payload: string): void;
  onReconnected?(): void;
}

const HEALTH_CHECK_TIMEOUT_MS = 10_000;

/** Double-quotes a channel name for LISTEN (it takes an identifier, not a parameter). */
export function assertChannelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
    throw new Error(`Invalid events channel "${channel}": use lower-case letters, digits and underscores (max 63)`);
  }
  return channel;
}

export class NotifyListener {
  private client: Client | undefined;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private lostAt: number | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: NotifyListenerOptions) {
    assertChannelName(options.channel);
    this.initialDelayMs = options.reconnect?.initialDelayMs ?? 250;
    this.maxDelayMs = Math.max(options.reconnect?.maxDelayMs ?? 30_000, this.initialDelayMs);
  }

  /** True while a connection is up and LISTENing (readiness). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and LISTENs; rejects if the first attempt fails (bad URL or database down at start). */
  async start(): Promise<void> {
    if (this.closing) throw new Error('The events listener is closed');
    if (this.client) return;
    this.client = await this.connect();
    this.startHealthCheck();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.healthTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const { connectionString, channel, logger } = this.options;
    const client = new Client({
      connectionString,
      application_name: this.options.applicationName ?? 'depgate-events',
      // The OS notices a dead peer on an otherwise silent connection.
      keepAlive: true,
    });
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err: Error & { code?: string }) => {
      logger.warn({ err: { message: err.message, code: err.code } }, 'events listener connection error');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      throw new Error('The events listener is closed');
    }
    client.on('notification', (message: Notification) => {
      if (message.channel !== channel || message.payload === undefined) return;
      this.options.onNotification(message.payload);
    });
    client.on('end', () => this.lose(client, 'connection ended'));
    return client;
  }

  /** Forgets a broken connection (once) and starts reconnecting. */
  private lose(client: Client, reason: string): void {
    if (this.client !== client) return; // already replaced, or closing
    this.client = undefined;
    clearInterval(this.healthTimer);
    client.end().catch(() => undefined);
    if (this.closing) return;
    this.lostAt = Date.now();
    this.options.logger.warn({ channel: this.options.channel, reason }, 'events listener lost its connection; reconnecting');
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.closing) return;
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** attempt);
    // Jitter keeps a fleet of instances from reconnecting in lock-step after a database restart.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.reconnectTimer = setTimeout(() => void this.reconnect(attempt), delay);
  }

  private async reconnect(attempt: number): Promise<void> {
    const { logger, channel } = this.options;
    try {
      this.client = await this.connect();
    } catch (err) {
      if (this.closing) return;
      logger.warn(
        { channel, attempt: attempt + 1, err: { message: (err as Error).message, code: (err as { code?: string }).code } },
        'events listener reconnect failed',
      );
      this.scheduleReconnect(attempt + 1);
      return;
    }
    this.startHealthCheck();
    logger.info({ channel, attempts: attempt + 1, downMs: Date.now() - (this.lostAt ?? Date.now()) }, 'events listener reconnected');
    try {
      this.options.onReconnected?.();
    } catch (err) {
      logger.error({ err }, 'events onReconnected hook failed');
    }
  }

  private startHealthCheck(): void {
    const every = this.options.healthCheckIntervalMs ?? 30_000;
    clearInterval(this.healthTimer);
    if (every <= 0) return;
    this.healthTimer = setInterval(() => void this.healthCheck(), every);
    this.healthTimer.unref();
  }

  private async healthCheck(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`)), HEALTH_CHECK_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      this.lose(client, `health check failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The fan-out section's subscribers in a process of their own (`fork`ed by bench/fanout.ts), so
 * that decoding 1,000 sockets' frames does not share the server's event loop and core as it does
 * when the clients run in the bench's process. Receipt times are sent back as wall-clock
 * milliseconds (performance.timeOrigin + performance.now()), comparable across processes of one
 * machine.
 *
 * Messages from the parent: `{ type: 'connect', url, key, tokenId, count }`, answered
 * `{ type: 'connected' }` once every client is subscribed; `{ type: 'collect', runId }`, answered
 * `{ type: 'collected', receipts }` (per client, [event key, time] pairs) once every client has
 * received that run's final state, or `{ type: 'failed', message }`; `{ type: 'stop' }`.
 */
import { connect, watch, type Watcher } from './fanout-watch';

export type ToClients =
  | { type: 'connect'; url: string; key: string; tokenId: string; count: number }
  | { type: 'collect'; runId: string }
  | { type: 'stop' };
export type FromClients = { type: 'connected' } | { type: 'collected'; receipts: [string, number][][] } | { type: 'failed'; message: string };

const watchers: Watcher[] = [];
const send = (message: FromClients) => process.send!(message);

process.on('message', (message: ToClients) => {
  const handled = (async () => {
    switch (message.type) {
      case 'connect':
        await connect(watchers, message.count, () => watch(message.url, message.key, message.tokenId));
        send({ type: 'connected' });
        return;
      case 'collect':
        await Promise.all(watchers.map((w) => w.done(message.runId)));
        send({ type: 'collected', receipts: watchers.map((w) => [...w.received].map(([k, at]) => [k, performance.timeOrigin + at])) });
        return;
      case 'stop':
        for (const w of watchers) w.stop();
        process.exit(0);
    }
  })();
  handled.catch((error: Error) => send({ type: 'failed', message: error.message }));
});

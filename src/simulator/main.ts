/** `npm run simulator`: the Apple Business Manager simulator on SIMULATOR_PORT (default 4010). */
import { startSimulator } from './simulator.app';

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010);
  const host = process.env.SIMULATOR_HOST ?? '127.0.0.1';
  const simulator = await startSimulator({ port, host });
  console.log(`Apple DEP simulator listening on ${simulator.url} (control API under ${simulator.url}/_sim)`);
  const stop = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('simulator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * Setup file of the unit project: unit tests are pure code, so listening on a port or opening a
 * socket fails the test at once instead of quietly turning it into an integration test. Tests that
 * need a server, the simulator or a database belong in test/integration/.
 */
import net from 'node:net';

const refuse = (what: string) =>
  function refused(): never {
    throw new Error(`unit tests do not ${what}: move this test to test/integration/`);
  };

net.Server.prototype.listen = refuse('listen on ports');
net.Socket.prototype.connect = refuse('open sockets');

/**
 * Setup file (setupFilesAfterEnv) of the unit project: unit tests are pure code, so listening on a
 * port or opening a socket fails the test at once instead of quietly turning it into an
 * integration test. Tests that need a server, the simulator or a database belong in
 * test/integration/.
 *
 * `node:net` is the worker process's own module, shared by every test file the worker runs next
 * (integration files included), so the refusal is put in place for this file only and the real
 * methods are restored when it ends.
 */
import net from 'node:net';

const refuse = (what: string) =>
  function refused(): never {
    throw new Error(`unit tests do not ${what}: move this test to test/integration/`);
  };

const listen = net.Server.prototype.listen;
const connect = net.Socket.prototype.connect;

beforeAll(() => {
  net.Server.prototype.listen = refuse('listen on ports');
  net.Socket.prototype.connect = refuse('open sockets');
});

afterAll(() => {
  net.Server.prototype.listen = listen;
  net.Socket.prototype.connect = connect;
});

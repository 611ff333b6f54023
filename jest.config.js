// Three kinds of test: unit (pure code: no server, no database, no socket; the setup file
// test/support/unit-sandbox.ts fails any that tries), integration (real PostgreSQL, the simulator
// and other HTTP servers on loopback ports), e2e (the running server process over HTTP/WebSocket;
// run with the integration project, which owns the database). A
// database is started once for the run when DATABASE_URL is unset (test/support/global-setup.ts);
// every test file gets its own database.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-sandbox.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

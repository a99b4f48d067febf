/**
 * Tests are compiled by `tsc` first (training runs in worker threads, which need plain JS files).
 * Integration tests talk to the real Temporal dev server and MLflow server started by scripts/test.sh.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 180000,
  // A test that times out can leave a Temporal worker polling a server its test already stopped; the run must still
  // end with its report instead of hanging CI (jest says when it had to force the exit).
  forceExit: true,
};

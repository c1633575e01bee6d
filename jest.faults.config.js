import { shared } from './jest.config.js';

/**
 * Backends killed and frozen under load (`npm run test:faults`), apart from `npm test`: its
 * open-handle detection tracks every promise, which is too slow for a run under load.
 */
export default {
  ...shared,
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  // Each run lasts about ten seconds: a 5 s outage between load before and after.
  testTimeout: 60_000,
};

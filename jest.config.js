/**
 * Jest for NestJS 12 (ES modules only): SWC transforms TypeScript with decorator metadata,
 * Jest runs the output as native ES modules (needs NODE_OPTIONS=--experimental-vm-modules),
 * and relative `.js` specifiers are mapped back to their `.ts` sources.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

// Jest on Node 20 cannot require() ES modules, which some CommonJS dependencies now do
// (@fastify/static → content-disposition): compile just those to CommonJS.
const esmOnlyDependencies = ['content-disposition'];
const toCommonJs = ['@swc/jest', { module: { type: 'commonjs' } }];

const PACKAGE_SOURCES = '<rootDir>/packages/nest-tier-rate-limit/src';

/** What every project shares (also the fault runs' config, `jest.faults.config.js`). */
export const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // The package's entry points, from its sources (the demo build uses the built package).
    '^nest-tier-rate-limit$': `${PACKAGE_SOURCES}/rate-limit/index.ts`,
    '^nest-tier-rate-limit/rules$': `${PACKAGE_SOURCES}/rate-limit-rules/index.ts`,
    '^nest-tier-rate-limit/admin$': `${PACKAGE_SOURCES}/rate-limit-admin/index.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': swc,
    [`/node_modules/(.*/)?(${esmOnlyDependencies.join('|')})/.+\\.js$`]: toCommonJs,
  },
  transformIgnorePatterns: [`/node_modules/(?!(.*/)?(${esmOnlyDependencies.join('|')})/)`],
  testEnvironment: 'node',
};

export default {
  // A global option (ignored inside a project): creating an embedded PGlite database takes
  // seconds on a loaded 2-core machine, and the fault runs last about ten.
  testTimeout: 30_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/packages/*/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};

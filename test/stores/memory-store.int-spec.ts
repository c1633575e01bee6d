import { MemoryRateLimitStore } from '../../src/rate-limit/stores/memory-rate-limit.store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', {
  create: () => Promise.resolve(new MemoryRateLimitStore()),
  destroy: () => Promise.resolve(),
  supportsResetPattern: true,
});

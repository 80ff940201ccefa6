import { describe } from 'node:test';
import { MemoryStateStore } from '../../../../gateway/state/memory-store.js';
import { runtimeStoreContract } from './store-contract.js';

describe('runtime store contract: memory', () => {
  runtimeStoreContract(() => {
    const store = new MemoryStateStore();
    return Promise.resolve({ store, peer: store, close: () => store.close() });
  });
});

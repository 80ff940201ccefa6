import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import { experimentStoreSuite } from './store-suite.js';

experimentStoreSuite('memory', (options) => createMemoryExperimentStore(options));

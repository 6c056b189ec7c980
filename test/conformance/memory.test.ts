import { describe, it } from 'vitest';
import { memoryRepository } from '../../src/index.js';
import { describeRepositoryConformance } from '../../src/testing/index.js';

describeRepositoryConformance('memoryRepository', (initial) => Promise.resolve({ repository: memoryRepository(initial), cleanup: () => Promise.resolve() }), { describe, it });

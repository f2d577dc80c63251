import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulations are CPU-bound and deterministic; long property tests get room.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

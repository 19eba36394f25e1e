import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure logic, no Docker and no network, files in parallel, seconds.
 * `integration`: the real engine, registries, Compose and the local GitHub, Railway and cache
 * servers. Its files run one at a time: BuildKit on the containerd image store loses snapshots
 * when another client prunes build records or removes images during a build (the layer-cache
 * tests prune their own), so two files building at once can fail each other.
 */
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/support/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          // Tests inside a file marked `concurrent` share the engine; three at once is what
          // two cores carry without the health waits themselves timing out.
          maxConcurrency: 3,
          testTimeout: 600_000,
          hookTimeout: 600_000,
          teardownTimeout: 120_000,
        },
      },
    ],
  },
});

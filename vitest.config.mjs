import { defineConfig } from 'vitest/config';

// The tests change host-wide state (namespaces, mounts, /run/netns) and some
// compare against a whole-host view (lsns), so test files run one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test needs Chromium: npm run test:browser (vitest.browser.config.mjs).
    exclude: ['test/browser/**', '**/node_modules/**'],
    globalSetup: ['./test/global-setup.mjs'],
    reporters: ['default', './test/summary-reporter.mjs'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

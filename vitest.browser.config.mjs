import { defineConfig } from 'vitest/config';

// The browser test (npm run test:browser): the live page in Debian's Chromium,
// headless, driven by puppeteer-core. Not part of `npm test`: it needs a browser
// (CI installs one for its stage). Runs as root against the real kernel.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['./test/global-setup.mjs'],
    reporters: ['default', './test/summary-reporter.mjs'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});

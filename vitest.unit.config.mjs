import { defineConfig } from 'vitest/config';

// The pure parts (codecs, parsers, renderers): no root, no kernel state, no
// global setup. CI runs these as an unprivileged user to prove it.
export default defineConfig({
  cacheDir: '/tmp/netns-native-vitest-unit',
  test: {
    include: ['test/unit/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.mjs'],
  },
});

import { defineConfig } from 'vitest/config';

// The pure parts (codecs, parsers, renderers): no root, no kernel state, no
// global setup. CI runs these as an unprivileged user to prove it.
export default defineConfig({
  // Per user: a cache a root run left behind must not stop an unprivileged one.
  cacheDir: `/tmp/netns-native-vitest-unit-${process.getuid()}`,
  test: {
    include: ['test/unit/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.mjs'],
  },
});

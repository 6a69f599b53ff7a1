import { defineConfig } from "vitest/config";

// One configuration for every suite. Unit tests sit next to the code (`*.test.ts`); slow end-to-end
// and database-matrix tests live in server/test/.
export default defineConfig({
  test: {
    include: ["server/**/*.test.ts", "sdk/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

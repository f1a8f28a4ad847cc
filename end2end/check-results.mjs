// `cargo leptos end-to-end` can exit 0 when the server failed to build or start,
// so the browser tests count only if Playwright wrote results and all passed.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-results/results.json";
let stats;
try {
  stats = JSON.parse(readFileSync(file, "utf8")).stats;
} catch (error) {
  console.error(`No browser test results in ${file}: the tests did not run (${error.message}).`);
  process.exit(1);
}
const passed = stats.expected + stats.flaky;
const failed = stats.unexpected;
console.log(`browser: ${passed} passed, ${failed} failed, ${stats.skipped} skipped`);
if (failed > 0 || passed === 0) process.exit(1);

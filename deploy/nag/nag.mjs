// cdk-nag's AwsSolutions rules on synthesised CloudFormation templates: node nag.mjs <template.json>...
// The C# app writes each justified suppression into its resource's cdk_nag metadata (the audit format cdk-nag
// itself writes); here each becomes an acknowledgement of that finding on that resource, and nothing else is
// acknowledged. Prints every finding left; exits 1 when an error is among them (warnings are printed only).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';

const templates = process.argv.slice(2);
if (templates.length === 0) {
  console.error('usage: node nag.mjs <template.json>...');
  process.exit(2);
}

let errors = 0;
for (const path of templates) {
  const name = basename(path);
  const template = JSON.parse(readFileSync(path, 'utf8'));
  const app = new App();
  const stack = new Stack(app, 'Nagged');
  const included = new CfnInclude(stack, 'Template', { templateFile: path });
  let acknowledged = 0;
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      if (typeof rule.reason !== 'string' || rule.reason.length < 10) {
        console.log(`${name} ERROR ${logicalId}: the suppression of ${rule.id} gives no reason`);
        errors++;
        continue;
      }
      const ids = rule.applies_to?.length ? rule.applies_to.map((finding) => `${rule.id}[${finding}]`) : [rule.id];
      for (const id of ids) Validations.of(included.getResource(logicalId)).acknowledge({ id, reason: rule.reason });
      acknowledged += ids.length;
    }
  }
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);
  let fileErrors = 0;
  let warnings = 0;
  for (const violation of report.violations) {
    const where = violation.violatingResources.map((r) => r.resourceLogicalId || r.constructPath?.split('/').pop()).join(', ');
    console.log(`${name} ${violation.severity.toUpperCase()} ${violation.ruleName} at ${where}: ${violation.description}`);
    const count = violation.violatingResources.length;
    if (violation.severity === 'error') fileErrors += count;
    else warnings += count;
  }
  console.log(`${name}: ${fileErrors} unsuppressed errors, ${warnings} warnings, ${acknowledged} justified suppressions`);
  errors += fileErrors;
}
process.exit(errors > 0 ? 1 : 0);

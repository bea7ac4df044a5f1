/**
 * `avisim validate <scenario>...`: checks scenario files without serving them. Exit status 0
 * when every file is valid (warnings allowed), 1 when any is not, 2 when one could not be checked.
 */
import { parseArgs } from 'node:util';
import { CannotCheck, checkScenario, type CheckResult } from './scenario.js';

export const VALIDATE_HELP = `avisim validate: checks scenario files without serving them

Usage: avisim validate <scenario>... [--format text|json]

Each scenario is a YAML or JSON file (or a built-in scenario's name). Checked: the file's
structure, every object against its type's Avi schema, and the whole scenario applied to a
scratch controller in memory (refs that resolve, unique names, each type's own rules).
Problems are printed as <file>:<line>:<column>: <field path>: <message>.

  --format <text|json>   the report's form (default text)
  -h, --help             this text

Exit status: 0 valid (warnings allowed), 1 invalid, 2 could not run (no such file, bad usage).
`;

type Out = (text: string) => void;

export async function runValidate(argv: string[], out: Out = (t) => process.stdout.write(t), err: Out = (t) => process.stderr.write(t)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err(`avisim validate: ${(e as Error).message}\n(avisim validate --help lists the options)\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(VALIDATE_HELP);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!positionals.length || (format !== 'text' && format !== 'json')) {
    err(`avisim validate: ${positionals.length ? `--format is text or json, got "${format}"` : 'give a scenario file'}\n\n${VALIDATE_HELP}`);
    return 2;
  }
  const results: CheckResult[] = [];
  let status = 0;
  for (const given of positionals) {
    try {
      const result = await checkScenario(given);
      results.push(result);
      if (!result.ok) status = Math.max(status, 1);
      if (format === 'text') out(formatResult(given, result));
    } catch (e) {
      if (!(e instanceof CannotCheck)) throw e;
      err(`avisim validate: ${e.message}\n`);
      status = 2;
    }
  }
  if (format === 'json') out(`${JSON.stringify(results, null, 2)}\n`);
  return status;
}

function formatResult(given: string, result: CheckResult): string {
  const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.path ? `${f.path}: ` : ''}${f.message}`);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  const counts = [errors && `${errors} error${errors > 1 ? 's' : ''}`, warnings && `${warnings} warning${warnings > 1 ? 's' : ''}`].filter(Boolean).join(', ');
  lines.push(`${given}: ${result.ok ? 'valid' : 'invalid'}${counts ? ` (${counts})` : ''}`);
  return `${lines.join('\n')}\n`;
}

// Reading a scenario: YAML text -> schema check -> resolution -> Scenario, or a ScenarioError whose diagnostics
// say `file:line:col: field: what was expected`. Runs in the browser too (no file system here: the CLI reads files).
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { ScenarioError, errorMap, formatPath, issuesToProblems, type Diagnostic, type PathProblem } from './diagnostics';
import { Locator } from './locate';
import { Problems, resolveScenario } from './resolve';
import { scenarioDocument } from './schema';
import type { Scenario } from './types';

/** Parses and validates a scenario. Throws ScenarioError with every problem found, in document order. */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || (list.length === 1 && list[0]!.contents === null)) {
    throw new ScenarioError([{ file, line: 1, col: 1, field: '', message: 'empty file: expected a kube-ha-sim/v1 Scenario document' }]);
  }
  const syntax: Diagnostic[] = [];
  for (const doc of list) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      syntax.push({ file, line: pos.line, col: pos.col, field: '', message: `YAML syntax error: ${firstLine(err.message)}` });
    }
  }
  if (syntax.length > 0) throw new ScenarioError(syntax);
  if (list.length > 1) {
    const pos = lineCounter.linePos(list[1]!.range[0]);
    throw new ScenarioError([{ file, line: pos.line, col: pos.col, field: '', message: 'expected one Scenario document per file, found a second document (---)' }]);
  }
  const doc = list[0]! as Document.Parsed;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ScenarioError([{ file, line: 1, col: 1, field: '', message: `YAML error: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return validateScenarioData(data, file, new Locator(doc, lineCounter));
}

/** Validates already-parsed data (e.g. a document with `--set` overrides applied). */
export function validateScenarioData(data: unknown, file: string | null, locator: Locator | null): Scenario {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ScenarioError([{ file: file ?? '<scenario>', line: 1, col: 1, field: '', message: `expected a mapping (apiVersion, kind, metadata, spec), got ${Array.isArray(data) ? 'a list' : typeof data}` }]);
  }
  const parsed = scenarioDocument.safeParse(data, { error: errorMap });
  if (!parsed.success) throw toError(issuesToProblems(parsed.error.issues), file, locator);
  const problems = new Problems();
  const scenario = resolveScenario(parsed.data, data, file, problems);
  if (scenario === null || problems.list.length > 0) throw toError(problems.list, file, locator);
  return scenario;
}

function toError(problems: readonly PathProblem[], file: string | null, locator: Locator | null): ScenarioError {
  const diagnostics = problems.map((p): Diagnostic => {
    const pos = locator?.locate(p.path, p.atKey) ?? { line: 1, col: 1 };
    return { file: file ?? '<scenario>', line: pos.line, col: pos.col, field: formatPath(p.path), message: p.message };
  });
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return new ScenarioError(diagnostics);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

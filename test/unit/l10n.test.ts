// Localisation: every user-facing manifest string is a %key% of package.nls.json, every message, prompt and
// progress title in src/ goes through l10n.t, so do the services' validation and error messages (names, rules,
// diagnostics, integrations), and l10n/bundle.l10n.json holds exactly the l10n.t strings of src/ (`npm run l10n`
// regenerates it). The calls are found with the TypeScript parser, not with regexes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, p), 'utf8')) as Record<string, unknown>;
type Json = Record<string, unknown>;
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? v as Json[] : []);

/** Where a manifest string is user-facing (the same set the %key% conversion covered). */
export function manifestStrings(pkg: Json): { where: string; value: unknown }[] {
  const out: { where: string; value: unknown }[] = [];
  const take = (o: Json | undefined, prop: string, where: string) => {
    if (o && o[prop] !== undefined) out.push({ where: `${where}.${prop}`, value: o[prop] });
  };
  const takeArray = (o: Json, prop: string, where: string) =>
    asArray(o[prop]).forEach((v, i) => out.push({ where: `${where}.${prop}[${i}]`, value: v }));
  take(pkg, 'displayName', '');
  take(pkg, 'description', '');
  const caps = pkg.capabilities as Json | undefined;
  take(caps?.untrustedWorkspaces as Json | undefined, 'description', 'capabilities.untrustedWorkspaces');
  const vw = caps?.virtualWorkspaces;
  if (vw && typeof vw === 'object') take(vw as Json, 'description', 'capabilities.virtualWorkspaces');
  const c = (pkg.contributes ?? {}) as Json;
  for (const [loc, list] of Object.entries((c.viewsContainers ?? {}) as Json)) {
    for (const vc of asArray(list)) take(vc, 'title', `viewsContainers.${loc}.${String(vc.id)}`);
  }
  for (const [container, list] of Object.entries((c.views ?? {}) as Json)) {
    for (const v of asArray(list)) for (const p of ['name', 'contextualTitle']) take(v, p, `views.${container}.${String(v.id)}`);
  }
  asArray(c.viewsWelcome).forEach((w, i) => take(w, 'contents', `viewsWelcome[${i}]`));
  for (const cmd of asArray(c.commands)) {
    for (const p of ['title', 'shortTitle', 'category']) take(cmd, p, `commands.${String(cmd.command)}`);
  }
  for (const s of asArray(c.submenus)) take(s, 'label', `submenus.${String(s.id)}`);
  const configs = Array.isArray(c.configuration) ? asArray(c.configuration) : c.configuration ? [c.configuration as Json] : [];
  const schema = (s: unknown, where: string) => {
    if (!s || typeof s !== 'object') return;
    const o = s as Json;
    for (const p of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage', 'title', 'errorMessage', 'patternErrorMessage']) {
      take(o, p, where);
    }
    for (const p of ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels']) takeArray(o, p, where);
    schema(o.items, `${where}.items`);
    for (const [n, sub] of Object.entries((o.properties ?? {}) as Json)) schema(sub, `${where}.${n}`);
  };
  configs.forEach((cfg, i) => {
    take(cfg, 'title', `configuration[${i}]`);
    for (const [name, prop] of Object.entries((cfg.properties ?? {}) as Json)) schema(prop, `configuration.${name}`);
  });
  for (const wt of asArray(c.walkthroughs)) {
    const w = `walkthroughs.${String(wt.id)}`;
    take(wt, 'title', w);
    take(wt, 'description', w);
    for (const st of asArray(wt.steps)) {
      take(st, 'title', `${w}.${String(st.id)}`);
      take(st, 'description', `${w}.${String(st.id)}`);
      take(st.media as Json | undefined, 'altText', `${w}.${String(st.id)}.media`);
    }
  }
  return out;
}

const KEY = /^%([^%\s]+)%$/;

/** Every %key% anywhere in the manifest. */
function manifestKeys(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') {
    const m = KEY.exec(v);
    if (m) out.add(m[1]!);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) manifestKeys(x, out);
  }
  return out;
}

// ---- source ----

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    // the emulator is a separate command-line program: English only
    if (e.isDirectory()) { if (p !== path.join(ROOT, 'src', 'emulator')) out.push(...sourceFiles(p)); }
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
const where = (sf: ts.SourceFile, n: ts.Node) => `${path.relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;

function isL10nCall(n: ts.Node): n is ts.CallExpression {
  if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || n.expression.name.text !== 't') return false;
  const target = n.expression.expression;
  return (ts.isIdentifier(target) && target.text === 'l10n') ||
    (ts.isPropertyAccessExpression(target) && target.name.text === 'l10n' && ts.isIdentifier(target.expression) && target.expression.text === 'vscode');
}

/** Text a user reads: words, once codicons ($(key)) and placeholders are taken out. */
const hasWords = (text: string) => /[A-Za-z]{2,}/.test(text.replace(/\$\([\w~-]+\)/g, ''));

/** String or template literals in an expression that reach the user without l10n.t. */
export function unlocalised(e: ts.Expression): ts.Node[] {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return hasWords(e.text) ? [e] : [];
  if (ts.isTemplateExpression(e)) {
    return hasWords([e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(' ')) ? [e]
      : e.templateSpans.flatMap((s) => unlocalised(s.expression));
  }
  if (ts.isConditionalExpression(e)) return [...unlocalised(e.whenTrue), ...unlocalised(e.whenFalse)];
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return unlocalised(e.right);
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return [...unlocalised(e.left), ...unlocalised(e.right)];
    }
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => (ts.isSpreadElement(x) ? [] : unlocalised(x)));
  return [];
}

/** Calls whose string arguments (or options title/placeHolder/prompt) are shown to the user. */
const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'setStatusBarMessage',
  // the Prompter (src/ui/prompts.ts) in front of showInputBox/showQuickPick/modal warnings
  'confirm']);
const PROMPT_CALLS = new Set(['showInputBox', 'showQuickPick', 'inputBox', 'quickPick', 'quickPickMany', 'withProgress', 'createQuickPick', 'createInputBox']);
const OPTION_PROPS = new Set(['title', 'placeHolder', 'prompt']);

export function unlocalisedCalls(sf: ts.SourceFile): string[] {
  const problems: string[] = [];
  const report = (nodes: ts.Node[], call: string) => {
    for (const n of nodes) problems.push(`${where(sf, n)} ${call}: ${n.getText(sf).slice(0, 80)}`);
  };
  const visit = (n: ts.Node): void => {
    if (isL10nCall(n)) return;
    if (ts.isCallExpression(n)) {
      const callee = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
      if (MESSAGE_CALLS.has(callee) || PROMPT_CALLS.has(callee)) {
        for (const arg of n.arguments) {
          if (ts.isObjectLiteralExpression(arg)) {
            for (const p of arg.properties) {
              if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && OPTION_PROPS.has(p.name.text)) report(unlocalised(p.initializer), callee);
            }
          } else if (MESSAGE_CALLS.has(callee) || (callee === 'withProgress' && arg === n.arguments[0])) {
            // withProgress(title, task): the commands' helper takes the title first
            report(unlocalised(arg), callee);
          }
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}

/** Errors whose message the user reads (validators' and parsers' messages end up in input boxes and notifications). */
const ERROR_CLASSES = new Set(['Error', 'TypeError', 'RangeError', 'ConnError', 'UrlError']);

/**
 * Messages the services build without l10n.t: the first argument of `new Error(…)` (and the integrations' own error
 * classes) and, with `returns`, what a function returns — a message string, or the `message` of a returned object
 * (validators return their message; diagnose returns { problem, message }).
 */
export function unlocalisedMessages(sf: ts.SourceFile, returns: boolean): string[] {
  const problems: string[] = [];
  const report = (nodes: ts.Node[], what: string) => {
    for (const n of nodes) problems.push(`${where(sf, n)} ${what}: ${n.getText(sf).slice(0, 80)}`);
  };
  const returned = (e: ts.Expression) => {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'message') report(unlocalised(p.initializer), 'return');
      }
    } else if (ts.isConditionalExpression(e)) {
      returned(e.whenTrue);
      returned(e.whenFalse);
    } else {
      report(unlocalised(e), 'return');
    }
  };
  const visit = (n: ts.Node): void => {
    if (isL10nCall(n)) return;
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && ERROR_CLASSES.has(n.expression.text) && n.arguments?.[0]) {
      report(unlocalised(n.arguments[0]), `new ${n.expression.text}`);
    }
    if (returns && ts.isReturnStatement(n) && n.expression) returned(n.expression);
    if (returns && ts.isArrowFunction(n) && !ts.isBlock(n.body)) returned(n.body);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}

/** The messages of l10n.t calls (first argument), and calls whose first argument l10n-dev cannot extract. */
export function l10nMessages(sf: ts.SourceFile): { messages: string[]; problems: string[] } {
  const messages: string[] = [];
  const problems: string[] = [];
  const visit = (n: ts.Node): void => {
    if (isL10nCall(n)) {
      const a = n.arguments[0];
      const msg = a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text
        : a && ts.isObjectLiteralExpression(a) ? a.properties.map((p) => (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'message'
          && (ts.isStringLiteral(p.initializer) || ts.isNoSubstitutionTemplateLiteral(p.initializer)) ? p.initializer.text : undefined)).find((x) => x !== undefined)
          : undefined;
      if (msg === undefined) problems.push(`${where(sf, n)} l10n.t needs a literal message: ${n.getText(sf).slice(0, 80)}`);
      else messages.push(msg);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { messages, problems };
}

describe('localisation', () => {
  const pkg = readJson('package.json');
  const nls = readJson('package.nls.json');

  it('declares its l10n folder, and the package ships it with package.nls.json', () => {
    assert.strictEqual(pkg.l10n, './l10n');
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    assert.ok(ignore.includes('!package.nls.json'), '.vscodeignore keeps package.nls.json');
    assert.ok(ignore.includes('!l10n/**') || ignore.includes('!l10n/*.json'), '.vscodeignore keeps l10n/bundle.l10n.json');
  });

  it('every user-facing manifest string is a %key%', () => {
    const strings = manifestStrings(pkg);
    assert.ok(strings.length > 50, `found only ${strings.length} manifest strings: the walk missed some`);
    const literal = strings.filter((s) => typeof s.value !== 'string' || !KEY.test(s.value));
    assert.deepStrictEqual(literal.map((s) => `${s.where}: ${String(s.value).slice(0, 60)}`), []);
  });

  it('every %key% has English text in package.nls.json, and every entry there is used', () => {
    const used = manifestKeys(pkg);
    const missing = [...used].filter((k) => typeof nls[k] !== 'string' || !(nls[k] as string).trim());
    assert.deepStrictEqual(missing, [], 'keys without text in package.nls.json');
    const unused = Object.keys(nls).filter((k) => !used.has(k));
    assert.deepStrictEqual(unused, [], 'package.nls.json entries no manifest string uses');
  });

  const files = sourceFiles(path.join(ROOT, 'src')).map(parse);

  it('messages, prompts, quick picks and progress titles in src/ go through l10n.t', () => {
    assert.ok(files.length > 40);
    assert.deepStrictEqual(files.flatMap(unlocalisedCalls), []);
  });

  // validators and parsers of the services: what they return or throw is shown in input boxes, errors and hovers
  const VALIDATORS = ['src/azure/names.ts', 'src/azure/rules.ts', 'src/references/diagnose.ts'];
  const THROWERS = [...VALIDATORS, 'src/references/env.ts',
    ...['airflow', 'airflowSources', 'flyte', 'sdk', 'secretKinds', 'zenml'].map((f) => `src/integrations/${f}.ts`)];

  it('validation messages and error messages of the services go through l10n.t', () => {
    const byPath = new Map(files.map((f) => [path.relative(ROOT, f.fileName).split(path.sep).join('/'), f]));
    for (const p of THROWERS) assert.ok(byPath.has(p), `${p} is gone: update the list`);
    assert.deepStrictEqual(THROWERS.flatMap((p) => unlocalisedMessages(byPath.get(p)!, VALIDATORS.includes(p))), []);
  });

  it('l10n/bundle.l10n.json holds exactly the l10n.t strings of src/ (npm run l10n)', () => {
    const found = files.map(l10nMessages);
    assert.deepStrictEqual(found.flatMap((f) => f.problems), []);
    const messages = new Set(found.flatMap((f) => f.messages));
    assert.ok(messages.size > 100, `only ${messages.size} l10n.t strings in src/`);
    const bundle = readJson('l10n/bundle.l10n.json');
    const notInBundle = [...messages].filter((m) => !(m in bundle));
    assert.deepStrictEqual(notInBundle, [], 'l10n.t strings missing from l10n/bundle.l10n.json: run npm run l10n');
    const stale = Object.keys(bundle).filter((k) => !messages.has(k));
    assert.deepStrictEqual(stale, [], 'l10n/bundle.l10n.json entries no l10n.t call uses: run npm run l10n');
  });

  it('the checks catch what they look for', () => {
    const probe = ts.createSourceFile('probe.ts', [
      "void vscode.window.showInformationMessage(`Saved ${name}.`);",
      "void vscode.window.showWarningMessage(vscode.l10n.t('Fine {0}', name), 'Retry');",
      "await ctx.prompter.inputBox({ prompt: 'Name of the secret', value: name });",
      "await vscode.window.showQuickPick(items, { placeHolder: ok ? vscode.l10n.t('Pick one') : 'Pick two' });",
      "await withProgress('Saving…', task);",
      "void vscode.window.setStatusBarMessage('$(key) ' + vscode.l10n.t('Copied'), 5000);",
      'l10n.t(`Not ${extractable}`);',
    ].join('\n'), ts.ScriptTarget.Latest, true);
    const calls = unlocalisedCalls(probe).map((p) => p.replace(/^probe\.ts:/, ''));
    assert.deepStrictEqual(calls, [
      '1 showInformationMessage: `Saved ${name}.`',
      "2 showWarningMessage: 'Retry'",
      "3 inputBox: 'Name of the secret'",
      "4 showQuickPick: 'Pick two'",
      "5 withProgress: 'Saving…'",
    ]);
    const services = ts.createSourceFile('probe.ts', [
      "if (!ok) throw new Error(`\"${name}\" is not a vault URL.`);",
      "if (!ok) throw new Error(l10n.t('\"{0}\" is not a vault URL.', name));",
      'if (!ok) throw new Error(err);',
      "if (!ok) return 'A tag name must not be empty.';",
      "if (!ok) return { problem: 'missing', message: l10n.t('Secret \"{0}\" does not exist.', name) };",
      "if (!ok) return { problem: 'expired', message: `Secret ${name} expired.` };",
      "return ok ? `${u.protocol}//${u.host}/` : l10n.t('Not a URL.');",
      "const f = (c: string) => c === ' ' ? 'a space' : `\"${c}\"`;",
    ].join('\n'), ts.ScriptTarget.Latest, true);
    assert.deepStrictEqual(unlocalisedMessages(services, true).map((p) => p.replace(/^probe\.ts:/, '')), [
      '1 new Error: `"${name}" is not a vault URL.`',
      "4 return: 'A tag name must not be empty.'",
      '6 return: `Secret ${name} expired.`',
      "8 return: 'a space'",
    ]);
    assert.deepStrictEqual(unlocalisedMessages(services, false).map((p) => p.replace(/^probe\.ts:/, '')), ['1 new Error: `"${name}" is not a vault URL.`']);
    assert.strictEqual(l10nMessages(probe).problems.length, 1);
    const bad = manifestStrings({ displayName: 'Key Vault', contributes: { commands: [{ command: 'x', title: '%t%', category: 'Key Vault' }] } });
    assert.deepStrictEqual(bad.filter((s) => !KEY.test(String(s.value))).map((s) => s.where), ['.displayName', 'commands.x.category']);
  });
});

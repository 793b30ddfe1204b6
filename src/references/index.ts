// Where a file references Key Vault secrets: picks the lexer for the language (or the file name) and runs the
// recognisers that apply. Pure (no vscode).
//
//   Python                      Airflow calls, Airflow templates in string values, Flyte, SDK, App Service strings
//   TypeScript / JavaScript     SDK, App Service strings
//   C#                          SDK, App Service strings
//   Jinja templates, SQL        Airflow templates ({{ var… }}, {{ conn… }})
//   JSON(C), Bicep, YAML, .env, properties, INI/TOML/shell, XML/HTML/Markdown, plain text
//                               App Service Key Vault references
// Docstrings (Python string statements) and comments are never read.
import { airflowJinja, airflowPythonCalls } from './airflow';
import { appServiceReferences } from './appService';
import { flyteReferences } from './flyte';
import { lexBicep, lexCSharp, lexJs, lexJson, lexPython, sliceText, type MappedText, type Token } from './lexer';
import type { SecretReference } from './model';
import { sdkReferences } from './sdk';
import {
  dotenvSegments, hashSegments, markupSegments, plainSegments, propertiesSegments, yamlSegments,
} from './segments';

export type { ReferenceKind, SecretReference } from './model';

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}

/** .env, .env.*, *.env */
export function isDotenvFile(fileName: string): boolean {
  const b = baseName(fileName).toLowerCase();
  return b === '.env' || b.startsWith('.env.') || (b.endsWith('.env') && b.length > 4);
}

/** local.settings.json, appsettings.json, appsettings.<Environment>.json */
export function isSettingsJsonFile(fileName: string): boolean {
  const b = baseName(fileName).toLowerCase();
  return b === 'local.settings.json' || /^appsettings(\..+)?\.json$/.test(b);
}

const JINJA_EXTENSIONS = /\.(sql|hql|j2|jinja|jinja2)$/i;
const JINJA_LANGUAGES = new Set(['sql', 'jinja', 'django-html', 'django-txt', 'twig']);

export type FileFamily = 'python' | 'js' | 'csharp' | 'jinja' | 'json' | 'bicep' | 'yaml' | 'dotenv' | 'properties' |
  'hash' | 'ini' | 'markup' | 'plaintext' | undefined;

/** Which lexer and recognisers a file gets; undefined: none. The file name decides for .env and settings JSON files. */
export function fileFamily(languageId: string, fileName: string): FileFamily {
  if (isDotenvFile(fileName)) return 'dotenv';
  if (isSettingsJsonFile(fileName)) return 'json';
  const id = languageId.toLowerCase();
  if (id === 'python') return 'python';
  if (['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].includes(id)) return 'js';
  if (id === 'csharp') return 'csharp';
  if (JINJA_LANGUAGES.has(id) || id.startsWith('jinja') || JINJA_EXTENSIONS.test(fileName)) return 'jinja';
  if (['json', 'jsonc', 'jsonl', 'arm-template', 'azure-resource-manager-template'].includes(id)) return 'json';
  if (id === 'bicep' || id === 'bicep-params') return 'bicep';
  if (['yaml', 'dockercompose', 'azure-pipelines', 'github-actions-workflow'].includes(id)) return 'yaml';
  if (id === 'dotenv') return 'dotenv';
  if (id === 'properties' || id === 'java-properties') return 'properties';
  if (id === 'ini') return 'ini';
  if (['toml', 'shellscript', 'dockerfile', 'makefile'].includes(id)) return 'hash';
  if (['xml', 'html', 'markdown'].includes(id)) return 'markup';
  if (id === 'plaintext') return 'plaintext';
  return undefined;
}

/** The decoded values of a token stream's string literals, docstrings left out. */
function stringValues(toks: readonly Token[]): MappedText[] {
  return toks.filter((t) => t.type === 'string' && t.str && !t.str.bytes && !t.str.docstring).map((t) => t.str!.text);
}

function fromSegments(segments: readonly MappedText[]): SecretReference[] {
  return segments.flatMap(appServiceReferences);
}

/**
 * The Key Vault references in a file, in source order. languageId is VS Code's; fileName decides for .env files
 * (".env", ".env.*", "*.env") and local.settings.json / appsettings*.json whatever the language id.
 */
export function findReferences(text: string, languageId: string, fileName: string): SecretReference[] {
  let refs: SecretReference[];
  switch (fileFamily(languageId, fileName)) {
    case 'python': {
      const toks = lexPython(text);
      const strings = stringValues(toks);
      refs = [
        ...airflowPythonCalls(toks),
        ...strings.flatMap(airflowJinja),
        ...flyteReferences(toks),
        ...sdkReferences(toks, 'python'),
        ...fromSegments(strings),
      ];
      break;
    }
    case 'js': {
      const toks = lexJs(text);
      refs = [...sdkReferences(toks, 'js'), ...fromSegments(stringValues(toks))];
      break;
    }
    case 'csharp': {
      const toks = lexCSharp(text);
      refs = [...sdkReferences(toks, 'csharp'), ...fromSegments(stringValues(toks))];
      break;
    }
    case 'jinja': refs = airflowJinja(sliceText(text, 0, text.length)); break;
    case 'json': refs = fromSegments(stringValues(lexJson(text))); break;
    case 'bicep': refs = fromSegments(stringValues(lexBicep(text))); break;
    case 'yaml': refs = fromSegments(yamlSegments(text)); break;
    case 'dotenv': refs = fromSegments(dotenvSegments(text)); break;
    case 'properties': refs = fromSegments(propertiesSegments(text)); break;
    case 'ini': refs = fromSegments(hashSegments(text, true)); break;
    case 'hash': refs = fromSegments(hashSegments(text)); break;
    case 'markup': refs = fromSegments(markupSegments(text)); break;
    case 'plaintext': refs = fromSegments(plainSegments(text)); break;
    default: refs = [];
  }
  return refs.sort((a, b) => a.start - b.start || a.end - b.end);
}

import * as assert from 'node:assert/strict';
import { HOLE, lexBicep, lexCSharp, lexJs, lexJson, lexPython, literal, type Token } from '../../src/references/lexer';
import { dotenvSegments, hashSegments, markupSegments, yamlSegments } from '../../src/references/segments';

const strings = (toks: Token[]) => toks.filter((t) => t.type === 'string').map((t) => t.str!.text.value);
const idents = (toks: Token[]) => toks.filter((t) => t.type === 'ident').map((t) => t.text);

describe('references/lexer', () => {
  it('Python: comments are skipped, prefixes and triple quotes are strings, escapes decode with a source map', () => {
    const src = 'a = "x\\x41y"  # b = "hidden"\nc = r\'\\d\' + b"raw" + """tri\nple"""\n';
    const toks = lexPython(src);
    assert.deepEqual(idents(toks), ['a', 'c']);
    assert.deepEqual(strings(toks), ['xAy', '\\d', 'raw', 'tri\nple']);
    const first = toks.find((t) => t.type === 'string')!;
    // 'y' (decoded index 2) comes from after the 4-character escape
    assert.equal(src.slice(first.str!.text.pos[2], first.str!.text.pos[3]), 'y');
    assert.equal(src.slice(first.str!.contentStart, first.str!.contentEnd), 'x\\x41y');
    assert.equal(toks.find((t) => t.text === 'b"raw"')!.str!.bytes, true);
  });

  it('Python: f-string fields become holes; {{ and }} are literal braces', () => {
    const toks = lexPython('f"x_{env}" f"{{plain}}" f"{d[\'k\']:>{w}}-z"');
    assert.deepEqual(strings(toks), [`x_${HOLE}`, '{plain}', `${HOLE}-z`]);
    assert.deepEqual(toks.map((t) => t.str!.interpolated), [true, false, true]);
    assert.equal(literal(toks[1]), '{plain}');
    assert.equal(literal(toks[0]), undefined);
  });

  it('Python: a string statement is a docstring; a string in an expression is not', () => {
    const toks = lexPython('"""module doc"""\ndef f():\n    "fn doc"\n    return "value"\nx = (\n  "in parens"\n)\n');
    const doc = toks.filter((t) => t.type === 'string').map((t) => [t.str!.text.value, t.str!.docstring]);
    assert.deepEqual(doc, [['module doc', true], ['fn doc', true], ['value', false], ['in parens', false]]);
  });

  it('Python: line breaks end statements only outside brackets', () => {
    const toks = lexPython('x = f(\n  1)\ny = 2 \\\n  + 3\n');
    assert.deepEqual(toks.filter((t) => t.nl).map((t) => t.text), ['x', 'y']);
  });

  it('JavaScript: comments, template holes, regex literals and division', () => {
    const src = 'a("s") // b("c")\n/* d("e") */ `t-${x + `n${y}`}-u` / 2; const r = /"q"/g; z = a / b / c;';
    const toks = lexJs(src);
    assert.deepEqual(strings(toks), ['s', `t-${HOLE}-u`]);
    assert.ok(toks.some((t) => t.type === 'other' && t.text === '/"q"/g'));
    assert.ok(!idents(toks).includes('d'));
    assert.deepEqual(idents(toks).slice(-4), ['z', 'a', 'b', 'c'], 'a / b / c is division');
  });

  it('C#: regular, verbatim, interpolated and raw strings; char literals and preprocessor lines', () => {
    const src = '#region "x"\nvar a = "q\\"r"; var b = @"c:\\dir ""x"""; var c = $"n-{v}-{{m}}"; ' +
      'var d = """raw "quoted" """; var e = \'"\'; var f = $$"""a{{h}}{b}""";';
    const toks = lexCSharp(src);
    assert.deepEqual(strings(toks), ['q"r', 'c:\\dir "x"', `n-${HOLE}-{m}`, 'raw "quoted" ', `a${HOLE}{b}`]);
    assert.ok(!strings(toks).includes('x'));
  });

  it('Bicep: interpolation, escapes, multi-line strings, comments', () => {
    const toks = lexBicep("var a = 'x${kv.name}y\\'z' // 'no'\nvar b = '''multi ${not} line'''\n/* 'no' */");
    assert.deepEqual(strings(toks), [`x${HOLE}y'z`, 'multi ${not} line']);
  });

  it('JSON with comments: only string literals, escapes decoded', () => {
    const toks = lexJson('{ "a": "b\\u0041", // "c"\n /* "d" */ "e": 1 }');
    assert.deepEqual(strings(toks), ['a', 'bA', 'e']);
  });

  it('YAML segments: comments dropped; quoted scalars decoded; block scalars are content', () => {
    const src = 'a: "q\\"1" # "c1"\nb: \'it\'\'s\'\n# whole line\nc: |\n  # kept\nd: plain # c2\n';
    const segs = yamlSegments(src).map((s) => s.value.trim()).filter(Boolean);
    assert.deepEqual(segs, ['a:', 'q"1', 'b:', 'it\'s', 'c: |', '# kept', 'd: plain']);
  });

  it('.env, # and <!-- --> segments', () => {
    assert.deepEqual(dotenvSegments('# X=1\nexport A="v\\"1" # c\nB=\'lit # no\'\nC=plain # comment\nnot a line\n').map((s) => s.value),
      ['v"1', 'lit # no', 'plain']);
    assert.deepEqual(hashSegments('a=1 # c\n# d\nb="x # y"\n').map((s) => s.value), ['a=1 ', '', 'b="x # y"', '']);
    assert.deepEqual(markupSegments('a<!-- b -->c<!--d').map((s) => s.value), ['a', 'c']);
  });
});

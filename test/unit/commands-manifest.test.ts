// The commands registered at activation (src/commands/ids.ts, no handler loaded) and the ones package.json contributes
// are the same set: a command missing from either would be invisible or do nothing until a reload.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { commandIds } from '../../src/commands/ids';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[] };
};

describe('command registration', () => {
  it('registers exactly the commands package.json contributes, each once', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepStrictEqual([...commandIds].sort(), contributed);
    assert.strictEqual(new Set(commandIds).size, commandIds.length);
  });
});

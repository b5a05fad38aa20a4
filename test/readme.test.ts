import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { permissions } from '../src/modules';
import { permissionMatrixMarkdown } from '../src/shared/access';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^npm install && npm start/m);
    assert.match(firstBlock, /^npm install && npm test/m);
    assert.ok(readme.indexOf('```sh') < 200, 'the commands come first');
  });

  it('prints the permission matrix that the code enforces', () => {
    const block =
      /<!-- permission-matrix:start -->\n([\s\S]*?)\n<!-- permission-matrix:end -->/.exec(
        readme,
      )?.[1];
    assert.equal(
      block,
      permissionMatrixMarkdown(permissions),
      'run `npx tessera permissions --markdown` and paste it into the README',
    );
  });

  it('holds no unresolved merge conflict, nor does any tracked file', () => {
    // A merge once committed the README with both sides and their markers; lint does not
    // read Markdown for them, so this does, across every tracked text file.
    const root = new URL('..', import.meta.url).pathname;
    const grep = spawnSync('git', ['grep', '-n', '-I', '-E', '^(<{7} |={7}$|>{7} )'], {
      cwd: root,
      encoding: 'utf8',
    });
    // git grep exits 1 when nothing matches, 0 with the matches.
    assert.notEqual(grep.status, 0, `conflict markers:\n${grep.stdout}`);
    assert.equal(grep.status, 1, `git grep failed: ${grep.stderr}`);
  });
});

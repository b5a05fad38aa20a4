import assert from 'node:assert/strict';
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
});

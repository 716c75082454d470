/**
 * Mocha runs a hook written outside every describe before or after EVERY test of the suite, not only its file's:
 * an agent started or stopped for one file then runs under all the others (a full run failed where the file alone
 * passed). Each test file keeps its hooks inside a describe; a kit exports a use*() function its files call there.
 */
import { globSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

describe('test hygiene', () => {
  it('no test file or kit registers a hook outside a describe', () => {
    const rootHooks = globSync('test/**/*.ts').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/^(before|after|beforeEach|afterEach)\(/.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(rootHooks).to.deep.equal([]);
  });
});

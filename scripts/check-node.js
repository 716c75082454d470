// Preloaded by the npm scripts (`node --import ./scripts/check-node.js server/main.ts`) before any TypeScript
// file is read: on a Node.js that cannot run the code (no type stripping, no import.meta.main for .ts entry
// points), say what to install instead of failing with ERR_UNKNOWN_FILE_EXTENSION or exiting silently.
// Plain JavaScript on purpose, and syntax any Node.js since 2016 parses: it must run on the Node it refuses.
// Keep the range in step with "engines" in package.json.
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = (major === 22 && minor >= 19) || (major === 24 && minor >= 3) || major > 24;

if (!supported) {
  process.stderr.write(
    [
      '',
      'This agent needs Node.js 24 LTS (24.3 or newer; 22.19 or newer on the 22 line also works).',
      `You are running Node.js v${process.versions.node} (${process.execPath}).`,
      '',
      'Install Node.js 24, then run the command again:',
      '  - with nvm:       nvm install && nvm use      (reads .nvmrc)',
      '  - from npm only:  npm install -g --prefix ~/.node24 node@24 && export PATH="$HOME/.node24/bin:$PATH"',
      '  - or a package or installer from https://nodejs.org/en/download',
      '',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

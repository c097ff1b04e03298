#!/usr/bin/env node
// Unpacks OHIF's prebuilt viewer (the dist/ folder of @ohif/app) into ohif-dist/.
//
// Why not a plain dependency: the published manifest of @ohif/app 3.13.2 depends on @ohif/i18n@3.13.2 and
// @ohif/ui@3.13.2, which the registry does not serve, so `npm install @ohif/app@3.13.2` cannot resolve a tree.
// The dist needs none of those dependencies (it is a finished webpack build), so only the package tarball is
// fetched, with the ordinary npm client, and checked against the integrity pinned in package.json.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const here = __dirname;
const pin = require('./package.json').ohifApp;
const target = path.join(here, 'ohif-dist');
const stamp = path.join(target, '.zsad-ohif-integrity');

if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === pin.integrity) {
  console.log(`ohif-dist: @ohif/app@${pin.version} already unpacked`);
  process.exit(0);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zsad-ohif-'));
try {
  const packed = JSON.parse(execFileSync('npm', ['pack', `@ohif/app@${pin.version}`, '--json', '--pack-destination', work],
    { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = path.join(work, packed[0].filename);
  // Checked here, not only by npm: the pin in package.json is what makes this install reproducible.
  const integrity = 'sha512-' + crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64');
  if (integrity !== pin.integrity) {
    console.error(`@ohif/app@${pin.version}: integrity ${integrity} differs from the pinned ${pin.integrity}`);
    process.exit(1);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/dist']);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(path.join(work, 'package', 'dist'), target);
  fs.writeFileSync(stamp, pin.integrity + '\n');
  console.log(`ohif-dist: unpacked @ohif/app@${pin.version}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

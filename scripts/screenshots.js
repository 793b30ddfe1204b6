#!/usr/bin/env node
// `npm run screenshots`: copies the screenshots the UI tier took (test-output/ui/, after `node scripts/test.js ui`)
// to where the README and the walkthrough show them (media/). Every picture in media/ is one the UI tests took.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const FROM = path.join(ROOT, 'test-output', 'ui');
/** media path ← UI-tier screenshot name */
const MAP = {
  'screenshot-tree.png': 'tree.png',
  'screenshot-menu.png': 'menu.png',
  'screenshot-signed-in.png': 'signed-in.png',
  'screenshot-airflow.png': 'airflow-form.png',
  'screenshot-airflow-connection.png': 'airflow-connection.png',
  'screenshot-references.png': 'references-hover.png',
  'screenshot-references-quickfix.png': 'references-quickfix.png',
  'screenshot-walkthrough.png': 'walkthrough.png',
  'screenshot-reveal.png': 'reveal.png',
  'screenshot-presentation.png': 'presentation.png',
  'screenshot-compare.png': 'compare.png',
  'screenshot-theme-dark-modern.png': 'theme-dark-modern.png',
  'screenshot-theme-light-modern.png': 'theme-light-modern.png',
  'screenshot-theme-high-contrast.png': 'theme-high-contrast.png',
  'screenshot-theme-high-contrast-light.png': 'theme-high-contrast-light.png',
  'walkthrough/welcome.png': 'walkthrough-welcome.png',
  'walkthrough/add-vault.png': 'add-vault.png',
  'walkthrough/reveal.png': 'reveal.png',
  'walkthrough/orchestrators.png': 'airflow-groups.png',
  'walkthrough/presentation.png': 'presentation.png',
};

let missing = 0;
for (const [to, from] of Object.entries(MAP)) {
  const src = path.join(FROM, from);
  if (!fs.existsSync(src)) {
    console.error(`missing test-output/ui/${from} (for media/${to}): run the UI tier first`);
    missing++;
    continue;
  }
  fs.mkdirSync(path.dirname(path.join(ROOT, 'media', to)), { recursive: true });
  fs.copyFileSync(src, path.join(ROOT, 'media', to));
  console.log(`media/${to} ← test-output/ui/${from}`);
}
process.exit(missing ? 1 : 0);

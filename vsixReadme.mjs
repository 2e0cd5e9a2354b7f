// The README of the .vsix (`npm run package`): EXTENSION_README.md with its screenshots inlined as data: URIs.
// VS Code's Extensions page renders a local extension's README without a base for relative image paths (and this
// package names no repository for vsce to rewrite them to), so `media/screenshots/x.png` would show as broken.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const text = readFileSync(path.join(root, 'EXTENSION_README.md'), 'utf8');
const inlined = text.replace(/!\[([^\]]*)\]\((media\/[^)\s]+\.png)\)/g, (_m, alt, file) => {
  const data = readFileSync(path.join(root, file)).toString('base64');
  return `![${alt}](data:image/png;base64,${data})`;
});
mkdirSync(path.join(root, 'dist'), { recursive: true });
writeFileSync(path.join(root, 'dist', 'README.vsix.md'), inlined);

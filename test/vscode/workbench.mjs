// Playwright steps on the VS Code workbench shared by the UI suites: quick input, palette commands, opening files,
// screenshots. Selectors are VS Code 1.100's (see shared/notes/real-vscode.md).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { screenshotDir } from './codeServer.mjs';

/**
 * Opens a quick input with `key` and returns its text box. Retries the key: right after the workbench appears it
 * may not handle keys yet, and a press then is lost.
 */
export async function openQuickInput(page, key) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 2_000 });
      return input;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

export async function runCommand(page, title) {
  const input = await openQuickInput(page, 'F1');
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

export async function openFile(page, name) {
  const input = await openQuickInput(page, 'Control+P');
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(name) }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(name) }).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Saves a PNG a person can look at and prints its path. */
export async function screenshot(page, t, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  t.diagnostic(`screenshot: ${file}`);
  return file;
}

/** Polls `probe` until it returns a truthy value; fails naming `what` (and the last value or error) after `timeoutMs`. */
export async function waitUntil(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `step(name, fn)`: a subtest of `t` that saves a screenshot `<prefix>-failure-<name>` when it fails. */
export function stepsOf(t, page, prefix) {
  return (name, fn) => t.test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await screenshot(page, t, `${prefix}-failure-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(() => {});
      throw error;
    }
  });
}

/**
 * The active editor's squiggle of one of `kinds` ('error', 'warning', 'info'), once one is drawn. Only a visible one:
 * a background tab's editor keeps its own (hidden, zero-size) decorations in the page, and `.first()` could pick those.
 */
export async function visibleSquiggle(page, kinds = ['error', 'warning', 'info'], timeout = 30_000) {
  const squiggle = page.locator(kinds.map((kind) => `.monaco-editor .squiggly-${kind}`).join(', ')).filter({ visible: true }).first();
  await squiggle.waitFor({ timeout });
  return squiggle;
}

/**
 * Hovers the active editor's squiggle of one of `kinds` and returns VS Code's hover widget once it shows. Retried:
 * VS Code redraws decorations when diagnostics arrive, so the element found may be replaced (detached, zero-size)
 * before the mouse gets there ("Element is not visible").
 */
export async function hoverSquiggle(page, kinds, timeout = 30_000) {
  return retrySquiggle(page, kinds, timeout, async (squiggle) => {
    await squiggle.hover({ force: true, timeout: 2_000 });
    const hover = page.locator('.monaco-hover').filter({ visible: true }).first();
    await hover.waitFor({ timeout: 5_000 });
    return hover;
  });
}

/** Clicks the active editor's squiggle (puts the cursor inside the diagnostic's range), retried as hoverSquiggle. */
export async function clickSquiggle(page, kinds, timeout = 30_000) {
  await retrySquiggle(page, kinds, timeout, (squiggle) => squiggle.click({ force: true, timeout: 2_000 }));
}

async function retrySquiggle(page, kinds, timeout, act) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await act(await visibleSquiggle(page, kinds, Math.max(1_000, deadline - Date.now())));
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.mouse.move(0, 0); // off the editor: the next try is a new hover
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Puts the cursor at a 1-based line and column (Go to Line). */
export async function goTo(page, line, column) {
  const input = await openQuickInput(page, 'Control+G');
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
}

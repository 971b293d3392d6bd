// Drive JupyterLab in headless Chromium the way a teacher does, and report what the page shows.
//
// Usage: node e2e.js CONFIG.json
//
// CONFIG names the server (url, token), the notebooks to run, the scratch notebook for the
// interactions, the screenshot directory and the result file. For every notebook this opens it
// with the Go kernel, clears the outputs with the Edit menu, runs all cells with the Run menu,
// waits for the kernel to go idle and records, cell by cell, what the rendered page shows: the
// prompt, every output area's MIME type and visible text, and the drawn size of SVG images. The
// checks of those outputs live in the Go test that starts this script (kernel/browser_test.go),
// next to the nbclient checks of the same notebooks. The interactions (interrupt button, stdin
// box, Tab completion, Shift+Tab help, restart and run all) are checked here and reported as
// pass or fail with what was measured.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = { notebooks: [], interactions: [], pageErrors: [], failedRequests: [] };

function log(...args) {
  console.log(new Date().toISOString().slice(11, 23), ...args);
}

function save() {
  fs.writeFileSync(config.out, JSON.stringify(result, null, 1));
}

// openNotebook loads JupyterLab with one notebook (resetting the saved workspace) and waits
// until its kernel is idle.
async function openNotebook(page, name) {
  const url = `${config.url}/lab/tree/${encodeURIComponent(name)}?reset&token=${config.token}`;
  await page.goto(url);
  await page.waitForSelector('.jp-NotebookPanel .jp-Notebook .jp-Cell', { timeout: 60000 });
  await waitKernelIdle(page, 60000);
}

// waitKernelIdle waits until the current notebook has a Go kernel whose status is idle.
async function waitKernelIdle(page, timeout) {
  await page.waitForFunction(() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const ctx = w && w.sessionContext;
    return !!(ctx && ctx.session && ctx.session.kernel && ctx.session.kernel.name === 'go' &&
      ctx.kernelDisplayStatus === 'idle');
  }, null, { timeout, polling: 100 });
}

// waitRunFinished waits until no cell shows the busy prompt [*] and the kernel is idle.
async function waitRunFinished(page, timeout) {
  await page.waitForFunction(() => {
    const w = window.jupyterapp.shell.currentWidget;
    if (w.sessionContext.kernelDisplayStatus !== 'idle') return false;
    return !Array.from(w.node.querySelectorAll('.jp-InputPrompt')).some(p => p.textContent.includes('*'));
  }, null, { timeout, polling: 200 });
}

// runAll runs every cell from the Run menu and waits until the last one has finished. The
// kernel may be done before it is seen busy, so a missed busy state is no error.
async function runAll(page) {
  await menu(page, 'Run', 'Run All Cells');
  await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'busy', null, { timeout: 30000, polling: 50 }).catch(() => {});
  await waitRunFinished(page, config.notebookTimeoutMs || 300000);
}

// menu clicks a top-level menu, then the item with exactly the label given, as a person does.
async function menu(page, top, item) {
  const exactly = label => new RegExp('^' + label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$');
  await page.locator('.lm-MenuBar-item', { hasText: exactly(top) }).click();
  const entry = page.locator('.lm-Menu-item:visible', { has: page.locator('.lm-Menu-itemLabel', { hasText: exactly(item) }) });
  await entry.waitFor({ state: 'visible', timeout: 5000 });
  await entry.click();
}

// cells returns what the page shows for every cell of the current notebook.
async function cells(page) {
  return page.evaluate(() => {
    const w = window.jupyterapp.shell.currentWidget;
    return w.content.widgets.map((cell, index) => {
      const node = cell.node;
      const model = cell.model;
      const prompt = node.querySelector('.jp-InputPrompt');
      const outputs = [];
      if (model.type === 'code') {
        const json = model.outputs.toJSON();
        const areas = Array.from(node.querySelectorAll('.jp-OutputArea-child'));
        areas.forEach((area, i) => {
          const out = area.querySelector('.jp-OutputArea-output');
          if (!out) return;
          const kind = json[i] ? json[i].output_type : '';
          const entry = {
            output_type: kind,
            name: json[i] && json[i].name || '',
            ename: json[i] && json[i].ename || '',
            mime: out.getAttribute('data-mime-type') || '',
            text: out.innerText,
          };
          const img = out.querySelector('img[src^="data:image/svg+xml"], svg');
          if (img) {
            const box = img.getBoundingClientRect();
            const area = out.getBoundingClientRect();
            entry.svg = {
              width: Math.round(box.width), height: Math.round(box.height),
              naturalWidth: img.naturalWidth || 0, naturalHeight: img.naturalHeight || 0,
              areaWidth: Math.round(area.width), overflows: out.scrollWidth > out.clientWidth + 1,
            };
          }
          outputs.push(entry);
        });
      }
      return {
        index, type: model.type, source: model.value.text,
        prompt: prompt ? prompt.textContent.trim() : '',
        tags: model.metadata.get('tags') || [],
        outputs,
      };
    });
  });
}

// screenshotNotebook saves the whole notebook: the window is made as tall as the notebook
// (up to a limit), and taller notebooks are saved in consecutive parts.
async function screenshotNotebook(page, base) {
  const limit = 12000;
  const size = await page.evaluate(() => {
    const nb = window.jupyterapp.shell.currentWidget.content.node;
    return { top: nb.getBoundingClientRect().top, height: nb.scrollHeight };
  });
  const view = Math.min(limit, Math.ceil(size.top + size.height + 80)); // + status bar
  await page.setViewportSize({ width: 1400, height: view });
  await page.waitForTimeout(400); // the shell lays out again on resize
  const visible = await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.node.clientHeight);
  const files = [];
  for (let y = 0, part = 1; y < size.height; y += Math.max(visible, 1), part++) {
    await page.evaluate(top => { window.jupyterapp.shell.currentWidget.content.node.scrollTop = top; }, y);
    await page.waitForTimeout(100);
    const file = path.join(config.shots, size.height > visible ? `${base}-part${part}.png` : `${base}.png`);
    await page.screenshot({ path: file });
    files.push(file);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  return files;
}

async function shutdownKernels(page) {
  await page.evaluate(() => window.jupyterapp.serviceManager.sessions.shutdownAll()).catch(() => {});
}

// runNotebook opens a notebook, clears it, runs all cells and records the page.
async function runNotebook(browser, name) {
  const page = await newPage(browser);
  const entry = { name, cells: [], screenshots: [], seconds: 0, outputsBefore: 0, outputsAfterClear: -1 };
  result.notebooks.push(entry);
  try {
    await openNotebook(page, name);
    entry.outputsBefore = await page.locator('.jp-OutputArea-output').count();
    await menu(page, 'Edit', 'Clear All Outputs');
    await page.waitForFunction(() => document.querySelectorAll('.jp-OutputArea-output').length === 0, null, { timeout: 10000 });
    entry.outputsAfterClear = await page.locator('.jp-OutputArea-output').count();
    const started = Date.now();
    await runAll(page);
    entry.seconds = (Date.now() - started) / 1000;
    entry.cells = await cells(page);
    entry.screenshots = await screenshotNotebook(page, path.basename(name, '.ipynb'));
    log(`${name}: ran in ${entry.seconds.toFixed(1)} s, screenshots ${entry.screenshots.length}`);
    if (name === config.restartNotebook) {
      entry.restart = await restartAndRunAll(page, name);
    }
  } catch (err) {
    entry.error = String(err && err.stack || err);
    log(`${name}: ${entry.error}`);
    await page.screenshot({ path: path.join(config.shots, `${path.basename(name, '.ipynb')}-failure.png`) }).catch(() => {});
  } finally {
    await shutdownKernels(page);
    await page.close();
    save();
  }
}

// restartAndRunAll restarts the kernel with the toolbar's button (confirming the dialog) and runs
// all cells again from the Run menu.
async function restartAndRunAll(page, name) {
  const out = { cells: [], seconds: 0, screenshot: '' };
  await page.evaluate(() => {
    window.__kernelStates = [];
    window.jupyterapp.shell.currentWidget.sessionContext.statusChanged.connect((_, s) => window.__kernelStates.push(s));
  });
  await page.locator('.jp-NotebookPanel-toolbar button[title^="Restart the kernel"]').click();
  await page.locator('.jp-Dialog-button.jp-mod-accept').click();
  await page.waitForFunction(() => window.__kernelStates.includes('restarting'), null, { timeout: 30000, polling: 50 });
  await waitKernelIdle(page, 60000);
  out.states = await page.evaluate(() => window.__kernelStates.join(' '));
  const started = Date.now();
  await runAll(page);
  out.seconds = (Date.now() - started) / 1000;
  out.cells = await cells(page);
  out.screenshot = path.join(config.shots, `${path.basename(name, '.ipynb')}-after-restart.png`);
  await page.screenshot({ path: out.screenshot });
  log(`${name}: restarted and ran again in ${out.seconds.toFixed(1)} s`);
  return out;
}

async function newPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', err => result.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('response', res => {
    if (res.status() >= 400) result.failedRequests.push(`${res.status()} ${res.url().replace(/token=[^&]*/, 'token=…')}`);
  });
  return page;
}

// cellEditor focuses the editor of cell i of the current notebook and selects its text.
async function cellEditor(page, i) {
  const editor = page.locator('.jp-Notebook .jp-Cell').nth(i).locator('.jp-InputArea-editor');
  await editor.click();
  await page.keyboard.press('Control+A');
  return editor;
}

// runCell runs cell i with Shift+Enter from its editor.
async function runCell(page, i) {
  await cellEditor(page, i);
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Enter');
}

function cellOutputText(page, i) {
  return page.locator('.jp-Notebook .jp-Cell').nth(i).locator('.jp-OutputArea').innerText();
}

// interaction runs one named check and records its outcome.
async function interaction(page, name, fn) {
  const started = Date.now();
  const entry = { name, ok: false, detail: '', seconds: 0 };
  result.interactions.push(entry);
  entry.screenshot = path.join(config.shots, `interaction-${name}.png`);
  let snapped = false;
  const snap = async () => { snapped = true; await page.screenshot({ path: entry.screenshot }); };
  try {
    entry.detail = await fn(snap);
    entry.ok = true;
  } catch (err) {
    entry.detail = String(err && err.message || err);
  }
  entry.seconds = (Date.now() - started) / 1000;
  if (!snapped || !entry.ok) await page.screenshot({ path: entry.screenshot }).catch(() => {});
  log(`interaction ${name}: ${entry.ok ? 'ok' : 'FAILED'}: ${entry.detail}`);
  save();
}

// runInteractions works on the scratch notebook, whose cells are, in order: a cell sleeping
// for an hour, a cell reading a line from stdin, an empty cell for typing, a cell starting a
// goroutine that prints after the cell ended, a cell run after it, a progress display
// updated in place, and a value of a notebook type with an HTML method.
async function runInteractions(browser) {
  const page = await newPage(browser);
  try {
    await openNotebook(page, config.interactions);
    const sleeper = 0, reader = 1, scratch = 2, starter = 3, next = 4, progress = 5, rich = 6;

    await interaction(page, 'interrupt', async () => {
      await runCell(page, sleeper);
      await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'busy', null, { timeout: 10000, polling: 50 });
      await page.waitForTimeout(1500); // well into the sleep
      const clicked = Date.now();
      await page.locator('.jp-NotebookPanel-toolbar button[title^="Interrupt the kernel"]').click();
      await page.waitForFunction(i => {
        const w = window.jupyterapp.shell.currentWidget;
        const cell = w.content.widgets[i];
        return w.sessionContext.kernelDisplayStatus === 'idle' && !cell.node.querySelector('.jp-InputPrompt').textContent.includes('*');
      }, sleeper, { timeout: 10000, polling: 20 });
      const ms = Date.now() - clicked;
      const text = await cellOutputText(page, sleeper);
      if (ms > 1000) throw new Error(`the cell stopped ${ms} ms after the click (limit 1000 ms)`);
      if (!/interrupt/i.test(text)) throw new Error(`the cell's output does not name the interrupt: ${JSON.stringify(text)}`);
      if (/\x1b\[|\[[0-9;]*[0-9]m/.test(text)) throw new Error(`terminal codes shown as text: ${JSON.stringify(text)}`);
      return `cell stopped ${ms} ms after the click; output: ${JSON.stringify(text.split('\n')[0])}`;
    });

    await interaction(page, 'stdin', async snap => {
      await runCell(page, reader);
      const box = page.locator('.jp-Stdin-input');
      await box.waitFor({ state: 'visible', timeout: 10000 });
      const prompt = await page.locator('.jp-Stdin-prompt').innerText().catch(() => '');
      await box.fill('Ada Lovelace');
      await snap();
      await box.press('Enter');
      await page.waitForFunction(i => window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerText.includes('hello, Ada Lovelace <nil>'), reader, { timeout: 10000 });
      // The prompt the cell printed stands in the input box, not on a line of its own.
      if (prompt.trim() !== 'your name?') throw new Error(`input box prompt ${JSON.stringify(prompt)}, want "your name?"`);
      const text = await cellOutputText(page, reader);
      if (!/^your name\?\s+Ada Lovelace\n/.test(text)) throw new Error(`the answered prompt reads ${JSON.stringify(text)}`);
      return `input box shown with the prompt ${JSON.stringify(prompt)}; the cell printed ${JSON.stringify(text.trim())}`;
    });

    const completions = async (code, want, snap) => {
      await cellEditor(page, scratch);
      await page.keyboard.type(code);
      await page.keyboard.press('Tab');
      const list = page.locator('.jp-Completer');
      await list.waitFor({ state: 'visible', timeout: 10000 });
      const items = await list.locator('.jp-Completer-item').allInnerTexts();
      if (snap) await snap();
      await page.keyboard.press('Escape');
      const names = items.map(s => s.trim().split(/\s+/)[0]);
      for (const w of want) {
        if (!names.includes(w)) throw new Error(`completions for ${code} lack ${w}: ${names.join(' ')}`);
      }
      return `${code} → ${names.slice(0, 8).join(' ')}${names.length > 8 ? ' …' : ''} (${names.length})`;
    };
    await interaction(page, 'completion', async snap => {
      const a = await completions('strings.ToU', ['ToUpper', 'ToUpperSpecial']);
      const b = await completions('thread.', ['New', 'Go', 'Current'], snap);
      const c = await completions('pool.', ['Threads', 'Processes']);
      return [a, b, c].join('; ');
    });

    const help = async (code, want, snap) => {
      await cellEditor(page, scratch);
      await page.keyboard.type(code);
      await page.keyboard.press('Shift+Tab');
      const tip = page.locator('.jp-Tooltip');
      await tip.waitFor({ state: 'visible', timeout: 10000 });
      const text = await tip.innerText();
      if (snap) await snap();
      await page.keyboard.press('Escape');
      if (!want.test(text)) throw new Error(`help for ${code} does not match ${want}: ${JSON.stringify(text.slice(0, 300))}`);
      return `${code} → ${JSON.stringify(text.split('\n').find(l => want.test(l)) || text.slice(0, 80))}`;
    };
    await interaction(page, 'help', async snap => {
      const a = await help('strings.ToUpper(', /returns s with all Unicode letters mapped to their upper case/);
      const b = await help('pool.Threads(', /Threads returns a pool/, snap);
      return [a, b].join('; ');
    });

    await interaction(page, 'late-goroutine-output', async snap => {
      await runCell(page, starter);
      await waitCellDone(page, starter);
      const count = await promptNumber(page, starter);
      await runCell(page, next);
      await waitCellDone(page, next);
      const first = await cellOutputText(page, starter);
      const second = await cellOutputText(page, next);
      await snap();
      if (!/goroutine.*still running/.test(first)) throw new Error(`the first cell does not say its goroutine is still running: ${JSON.stringify(first)}`);
      if (first.includes('late hello')) throw new Error(`late output shown under the cell that had ended: ${JSON.stringify(first)}`);
      if (!second.includes(`[In ${count}] late hello`) || !second.includes('second cell')) {
        throw new Error(`the running cell does not show the late line marked [In ${count}]: ${JSON.stringify(second)}`);
      }
      return `ended cell: ${JSON.stringify(first.trim().split('\n')[0])}; next cell: ${JSON.stringify(second.trim())}`;
    });

    await interaction(page, 'display-update', async () => {
      await runCell(page, progress);
      await waitCellDone(page, progress);
      const outputs = await page.locator('.jp-Notebook .jp-Cell').nth(progress).locator('.jp-OutputArea-output').evaluateAll(
        els => els.map(e => ({ mime: e.getAttribute('data-mime-type'), text: e.innerText.trim(), bold: !!e.querySelector('b') })));
      if (outputs.length !== 1 || outputs[0].text !== 'step 5 of 5' || !outputs[0].bold) {
        throw new Error(`want one HTML output reading "step 5 of 5", got ${JSON.stringify(outputs)}`);
      }
      return `one output, updated in place: ${JSON.stringify(outputs[0])}`;
    });

    await interaction(page, 'rich-result', async () => {
      await runCell(page, rich);
      await waitCellDone(page, rich);
      const cell = page.locator('.jp-Notebook .jp-Cell').nth(rich);
      const badge = cell.locator('.jp-OutputArea-output[data-mime-type="text/html"] span.gk-badge');
      if (await badge.count() !== 1) {
        throw new Error(`no HTML badge; outputs: ${JSON.stringify(await cell.locator('.jp-OutputArea').innerText())}`);
      }
      const prompt = (await cell.locator('.jp-OutputPrompt').first().innerText()).trim();
      if (!/^\[\d+\]:$/.test(prompt)) throw new Error(`the value is not shown as the cell's result (Out prompt ${JSON.stringify(prompt)})`);
      return `badge rendered as HTML: ${JSON.stringify(await badge.innerText())}, result prompt ${prompt}`;
    });
  } finally {
    await shutdownKernels(page);
    await page.close();
    save();
  }
}

// waitCellDone waits until cell i has an execution count and the kernel is idle.
async function waitCellDone(page, i) {
  await page.waitForFunction(i => {
    const w = window.jupyterapp.shell.currentWidget;
    const p = w.content.widgets[i].node.querySelector('.jp-InputPrompt').textContent;
    return w.sessionContext.kernelDisplayStatus === 'idle' && /\[\d+\]/.test(p);
  }, i, { timeout: 30000, polling: 50 });
}

async function promptNumber(page, i) {
  const text = await page.locator('.jp-Notebook .jp-Cell').nth(i).locator('.jp-InputPrompt').innerText();
  return Number((text.match(/\d+/) || ['0'])[0]);
}

async function main() {
  fs.mkdirSync(config.shots, { recursive: true });
  for (const f of fs.readdirSync(config.shots)) {
    if (f.endsWith('.png')) fs.unlinkSync(path.join(config.shots, f)); // only the latest run
  }
  const browser = await chromium.launch({
    executablePath: config.chromium || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  log(`browser ${browser.version()}`);
  try {
    for (const name of config.notebooks) await runNotebook(browser, name);
    await runInteractions(browser);
  } finally {
    await browser.close();
    save();
  }
}

main().catch(err => {
  result.fatal = String(err && err.stack || err);
  save();
  console.error(result.fatal);
  process.exit(1);
});

// What a person does in the VS Code window, as functions: open a file with Quick Open, run
// a command from the palette, jump to a position, read the status bar, the Problems panel,
// the suggest widget, the hover and the code lenses. Each waits for its effect with a
// deadline, so a check reads like the steps a user takes.
import { expect, waitFor } from './wait.mjs';

/**
 * The frame of a webview (webviews are nested iframes) once the element `app` (its lit app's
 * tag) has rendered in it.
 * @param {import('playwright-core').Page} page
 */
export async function webviewFrame(page, app, what) {
  return waitFor(
    async () => {
      for (const f of page.frames()) {
        if (
          await f
            .locator(app)
            .count()
            .catch(() => 0)
        )
          return f;
      }
      return undefined;
    },
    { timeout: 30_000, what: `the ${what} webview to load`, describe: async () => `${page.frames().length} frames` },
  );
}

const EDITOR = '.part.editor .editor-group-container.active .monaco-editor';
const QUICK_INPUT = '.quick-input-widget';
// While it animates closed, the widget is still visible but inert: keys and clicks are lost.
const LIVE_QUICK_INPUT = `${QUICK_INPUT}:not(.quick-input-widget-closing):not([inert])`;
/** How long runCommand waits for a command to be listed before it opens the palette again. */
const PALETTE_REOPEN_MS = 4_000;

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  get keyboard() {
    return this.page.keyboard;
  }

  /** Loads the window with `folder` open and waits for the explorer to list it. */
  async open(baseUrl, folder, { timeout = 90_000 } = {}) {
    await this.page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`, { timeout });
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    await waitFor(() => this.page.locator('.explorer-folders-view .monaco-list-row').count(), {
      timeout,
      what: 'the explorer to list the workspace folder',
    });
  }

  /** Names in the explorer's visible rows. */
  explorerItems() {
    return this.page.locator('.explorer-folders-view .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
  }

  /**
   * Opens a quick input with `key` and types `text` once its box has the keyboard focus (F1
   * right after a palette closed can find the old widget still animating, and typed keys were
   * lost). If keys were lost anyway, the box is set to the text, so the caller's wait for rows
   * fails on the rows, not on a half-typed filter. `prefix` is what the key puts in the box.
   */
  async openQuickInput(key, text, { prefix = '', timeout = 20_000 } = {}) {
    await this.keyboard.press(key);
    const input = this.page.locator(`${LIVE_QUICK_INPUT} .quick-input-box input`).first();
    await waitFor(() => input.evaluate((el) => el === document.activeElement).catch(() => false), {
      timeout,
      what: `the quick input opened by ${key} to take keys`,
      describe: async () => `${await this.page.locator(QUICK_INPUT).count()} quick input widgets`,
    });
    await this.keyboard.type(text);
    if ((await input.inputValue()) !== prefix + text) await input.fill(prefix + text);
  }

  async quickInputRows() {
    return this.page.locator(`${QUICK_INPUT} .monaco-list-row`).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
  }

  /** Opens `fileName` through Quick Open (Ctrl+P), as a user does, and waits for its editor. */
  async quickOpen(fileName, { timeout = 30_000 } = {}) {
    await this.dismiss();
    await this.openQuickInput('Control+P', fileName, { timeout });
    // A row's label is the name, then details: "x.yaml, file results", "x.yaml unsaved changes, …".
    const row = new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([ ,]|$)`);
    // Enter opens the first row: wait until the filter has put the file there, not merely listed it
    // (a recently opened editor can stay first for a moment while the typed name is matched).
    await waitFor(async () => row.test((await this.quickInputRows())[0] ?? ''), {
      timeout,
      what: `Quick Open to list ${fileName} first`,
      describe: async () => JSON.stringify(await this.quickInputRows()),
    });
    await this.keyboard.press('Enter');
    await waitFor(async () => (await this.activeTabLabel())?.startsWith(fileName) && (await this.cursor()) !== undefined, {
      timeout,
      what: `an editor for ${fileName} to be active`,
      describe: async () => `active tab ${JSON.stringify(await this.activeTabLabel())}`,
    });
  }

  /**
   * Runs a command by its palette label (F1, type, Enter on the exactly matching row). With
   * `opensPick`, the command shows a quick pick of its own in the same widget, so the palette
   * is not waited on to close. With `unless`, closes the palette instead once `unless()` says
   * the command is not needed any more. Returns whether the command ran.
   */
  async runCommand(label, { timeout = 20_000, opensPick = false, unless } = {}) {
    await this.dismiss();
    await this.openQuickInput('F1', label, { prefix: '>', timeout });
    const matches = (l) => l === label || l.startsWith(`${label},`);
    // Move the palette's focus to the command with the keyboard and press Enter, as a user
    // does: a click can land on a row the list is redrawing (recently used commands move).
    let moot = false;
    // The palette lists the commands enabled when it opened: one whose enablement or `when`
    // context comes true later (a window that has just opened: workspace trust, the
    // extension's own keys) appears only when the palette is opened again.
    let opened = Date.now();
    await waitFor(
      async () => {
        if (unless && (await unless())) return (moot = true);
        const focused = await this.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
        if (focused.some(matches)) return true;
        if ((await this.quickInputRows()).some(matches)) await this.keyboard.press('ArrowDown');
        else if (Date.now() - opened > PALETTE_REOPEN_MS) {
          await this.dismiss();
          await this.openQuickInput('F1', label, { prefix: '>', timeout });
          opened = Date.now();
        }
        return false;
      },
      {
        timeout,
        what: `the command palette to offer "${label}"`,
        describe: async () => JSON.stringify(await this.quickInputRows()),
      },
    );
    // `unless` came true: the command is no longer needed (nor offered); close the palette.
    await this.keyboard.press(moot ? 'Escape' : 'Enter');
    if (moot || !opensPick) await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout });
    return !moot;
  }

  /**
   * Runs a palette command that answers with a quick pick or input box of its own, so unlike
   * runCommand it does not wait for the quick input to close: it waits for one titled `title`.
   */
  async runCommandAskingInput(label, title, { timeout = 20_000 } = {}) {
    await this.runCommand(label, { timeout, opensPick: true });
    await waitFor(
      async () =>
        (
          await this.page
            .locator(`${QUICK_INPUT}:visible .quick-input-title`)
            .innerText()
            .catch(() => '')
        ).includes(title),
      {
        timeout,
        what: `a quick input titled "${title}"`,
      },
    );
  }

  /** Closes whatever transient widget has focus (quick input, suggest list, hover). */
  async dismiss() {
    for (let i = 0; i < 3; i++) {
      const open = await this.page.locator(`${QUICK_INPUT}:visible, .suggest-widget.visible, .monaco-hover:not(.hidden):visible`).count();
      if (!open) return;
      await this.keyboard.press('Escape');
    }
  }

  async activeTabLabel() {
    const tab = this.page.locator('.part.editor .editor-group-container.active .tab.active');
    return (await tab.count()) ? tab.first().getAttribute('aria-label') : undefined;
  }

  /** The cursor as the status bar shows it ("Ln 12, Col 5"), or undefined without an editor. */
  async cursor() {
    const item = this.page.locator('[id="status.editor.selection"]');
    if (!(await item.count())) return undefined;
    const m = /Ln (\d+), Col (\d+)/.exec(await item.first().innerText());
    return m ? { line: Number(m[1]), col: Number(m[2]) } : undefined;
  }

  /** Waits for the status bar to show the cursor at `line`:`col`. */
  async expectCursor(line, col, { timeout = 10_000, what } = {}) {
    await waitFor(
      async () => {
        const c = await this.cursor();
        return c && c.line === line && c.col === col;
      },
      { timeout, what: what ?? `the status bar to show Ln ${line}, Col ${col}`, describe: async () => JSON.stringify(await this.cursor()) },
    );
  }

  /** Puts the cursor at `line`:`col` (1-based) with Go to Line (Ctrl+G "line:col"). */
  async goto(line, col = 1) {
    await this.focusEditor();
    await this.openQuickInput('Control+G', `${line}:${col}`, { prefix: ':' });
    await this.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
    await this.expectCursor(line, col);
  }

  /** Gives the active editor keyboard focus without moving its cursor. */
  async focusEditor() {
    await this.dismiss();
    const focused = await this.page.evaluate((sel) => !!document.activeElement?.closest(sel), EDITOR);
    if (!focused) {
      await this.runCommand('View: Focus Active Editor Group');
    }
  }

  /** Text of the editor's visible lines, top to bottom (Monaco draws spaces as U+00A0). */
  async visibleLines() {
    return this.page.locator(`${EDITOR} .view-lines .view-line`).evaluateAll((lines) =>
      lines
        .map((l) => ({ top: parseFloat(l.style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  }

  /** The screen rectangle of the cursor in the active editor. */
  async cursorBox() {
    const box = await this.page.locator(`${EDITOR} .cursors-layer .cursor`).first().boundingBox();
    expect(box, 'the active editor shows no cursor');
    return box;
  }

  /** Squiggles of a severity ('error' | 'warning' | 'info') in the active editor. */
  squiggles(severity = 'error') {
    return this.page.locator(`${EDITOR} .squiggly-${severity}`).count();
  }

  /** Opens the Problems panel (if closed) and returns its marker rows' texts. */
  async problems() {
    if (!(await this.page.locator('.markers-panel:visible').count())) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await this.page.locator('.markers-panel').waitFor({ state: 'visible' });
    }
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((r) => ({ label: r.getAttribute('aria-label') ?? '', text: (r.textContent ?? '').replace(/\s+/g, ' ').trim() })));
  }

  /** Rows of the suggest widget, by label, while it is open. */
  async suggestions() {
    return this.page.locator('.suggest-widget.visible .monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => {
        const name = r.querySelector('.label-name');
        return (name?.textContent ?? r.getAttribute('aria-label') ?? '').trim();
      }),
    );
  }

  /** Text of the visible hover widget, or '' when none shows. */
  async hoverText() {
    const hovers = await this.page.locator('.monaco-hover:not(.hidden)').evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height > 0).map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
    return hovers.filter(Boolean).join('\n');
  }

  /** The code lenses drawn in the active editor: their links and their vertical position. */
  codeLenses() {
    return this.page.locator(`${EDITOR} .codelens-decoration`).evaluateAll((els) =>
      els.map((e) => ({
        top: e.getBoundingClientRect().top,
        links: [...e.querySelectorAll('a')].map((a) => (a.textContent ?? '').trim()).filter(Boolean),
      })),
    );
  }

  /** Discards unsaved edits of the active editor (File: Revert File) when it has any. */
  async revertIfDirty() {
    await this.dismiss();
    if (await this.page.locator('.part.editor .editor-group-container.active .tab.active.dirty').count()) {
      await this.runCommand('File: Revert File');
      await this.page.locator('.part.editor .editor-group-container.active .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
    }
  }

  /** The status bar's items: their id (extension items: "<extension id>.<item id>") and text. */
  statusBarItems() {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els.map((e) => ({
        id: e.id,
        text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
      })),
    );
  }

  /** Waits until the status bar shows an item whose text is `text` (e.g. the language server's verdict on the active file). */
  async statusBarShows(text, { timeout = 60_000, what } = {}) {
    await waitFor(async () => (await this.statusBarItems()).some((i) => i.text === text), {
      timeout,
      what: what ?? `the status bar to show "${text}"`,
      describe: async () => JSON.stringify((await this.statusBarItems()).map((i) => i.text).filter(Boolean)),
    });
  }

  /** Messages of the notification toasts on screen. */
  notifications() {
    return this.page.locator('.notifications-toasts .notification-list-item').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  }

  /**
   * The toasts showing now, and on every 20th call also the notification center: for waits on a message
   * whose toast may hide itself before a slow machine looks at it.
   */
  async recentNotifications() {
    this.notificationPolls = (this.notificationPolls ?? 0) + 1;
    const toasts = await this.notifications();
    return this.notificationPolls % 20 === 0 ? [...toasts, ...(await this.notificationCenter())] : toasts;
  }

  /** Every notification, including those whose toast has gone, read from the notification center. */
  async notificationCenter() {
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center');
    await center.waitFor({ state: 'visible', timeout: 5_000 });
    const messages = await center.locator('.notification-list-item').evaluateAll((els) => els.map((e) => (e.innerText ?? '').replace(/\s+/g, ' ').trim()));
    await this.hideNotificationCenter();
    return messages;
  }

  /**
   * Clicks a button of the notification whose text matches `text`: on its toast while it shows, else in the
   * notification center, where a notification stays after its toast has hidden itself (on a slow machine
   * the toast may be gone before the check reaches it, or hide while it is being clicked). `done` tells
   * whether the click took effect; while it says no, the center's button is clicked instead.
   */
  async clickNotificationButton(text, button, done = async () => true) {
    const toast = this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).getByRole('button', { name: button }).first();
    if (await toast.isVisible().catch(() => false)) {
      const clicked = await toast.click({ timeout: 2_000 }).then(
        () => true,
        () => false,
      );
      if (
        clicked &&
        (await waitFor(done, { timeout: 5_000, what: `"${button}" to take effect` }).then(
          () => true,
          () => false,
        ))
      )
        return;
    }
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center');
    await center.waitFor({ state: 'visible', timeout: 5_000 });
    const item = center.locator('.notification-list-item', { hasText: text }).first();
    await item.hover();
    await item.getByRole('button', { name: button }).first().click();
    await this.hideNotificationCenter();
  }

  /**
   * Closes the notification center by its command. Not Escape: where focus went back to a
   * list (or a button's action focused one), Escape would clear that list's selection. The
   * center may hide itself meanwhile (when the palette opens, or its last notification goes),
   * and the palette then no longer offers the command: that is done too.
   */
  async hideNotificationCenter() {
    const center = this.page.locator('.notifications-center');
    if (!(await center.isVisible())) return;
    await this.runCommand('Notifications: Hide Notifications', { unless: async () => !(await center.isVisible()) });
  }
}

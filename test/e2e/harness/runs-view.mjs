// The Runs view (MLOps activity bar) as checks read it: its pane, its rows as a user sees
// them, one row by label.

/** The Runs pane of the side bar. */
export function runsPane(page) {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^Runs/ }) }).first();
}

/**
 * Label, description, accessible label, expansion and codicons of every drawn row of the Runs
 * view, top to bottom (the list recycles row elements, so document order is not screen order).
 */
export function runRows(page) {
  // Rows of the list itself, not the copies tree sticky scroll pins above it.
  return runsPane(page)
    .locator('.monaco-list-rows > .monaco-list-row[data-index]')
    .evaluateAll((rows) =>
      rows
        .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
        .map((r) => ({
          index: Number(r.getAttribute('data-index')),
          label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
          description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
          aria: r.getAttribute('aria-label') ?? '',
          expanded: r.getAttribute('aria-expanded'),
          icons: [...r.querySelectorAll('[class*="codicon-"]')].flatMap((e) => [...e.classList].filter((c) => c.startsWith('codicon-'))),
        })),
    );
}

/** The first row whose label is exactly `label`. */
export function runsRow(page, label) {
  return runsPane(page)
    .locator('.monaco-list-rows > .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) })
    .first();
}

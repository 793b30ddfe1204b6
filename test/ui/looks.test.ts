// How the extension looks: the walkthrough renders with its screenshots, and the activity-bar and tree icons stay
// readable in the light, dark and high-contrast themes (contrast of the painted icon against its background,
// measured in the page; a screenshot per theme).
import * as assert from 'assert';
import { Workbench } from './support/workbench';

/** WCAG contrast ratio of two CSS rgb()/rgba() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((x) => Number(x) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('walkthrough and themes', () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
  });
  after(async () => {
    await setTheme('Default Light Modern').catch(() => undefined);
    await wb?.close();
  });

  it('opens the walkthrough: five steps, each with a real screenshot that loads', async () => {
    // the walkthrough shows its pictures only when the editor is wide enough: hide the (widened) side bar
    await wb.runCommand('View: Toggle Primary Side Bar Visibility');
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.pick('Get Started with Key Vault');
    const page = wb.page.locator('.gettingStartedContainer');
    await page.locator('.getting-started-step', { hasText: 'Sign in, or start the local emulator' }).first().waitFor({ timeout: 20000 });
    const titles = await page.locator('.getting-started-step .step-title').allInnerTexts();
    for (const t of ['Sign in, or start the local emulator', 'Add a vault by its URL', 'Set and reveal a secret',
      'Airflow, Union/Flyte and ZenML', 'Share your screen safely']) {
      assert.ok(titles.some((x) => x.includes(t)), `step "${t}" in ${JSON.stringify(titles)}`);
    }
    // the selected step's picture has loaded (a missing file leaves naturalWidth 0)
    await wb.page.waitForFunction(`Array.from(document.querySelectorAll('.gettingStartedContainer img'))
      .some((i) => i.complete && i.naturalWidth > 100 && i.getBoundingClientRect().width > 100)`, undefined, { timeout: 20000 });
    await wb.screenshot('walkthrough');
    await wb.runCommand('View: Close All Editors');
    await wb.openKeyVaultView();
  });

  /** The workbench's theme picker searches the (unreachable) marketplace: a test command sets the setting. */
  async function setTheme(theme: string): Promise<void> {
    await wb.runCommand('Key Vault tests: color theme');
    await wb.answerInput(theme);
    await wb.page.waitForTimeout(1000);
  }

  for (const theme of ['Default Light Modern', 'Default Dark Modern', 'Default High Contrast', 'Default High Contrast Light']) {
    it(`reads well in ${theme}`, async () => {
      await setTheme(theme);
      await wb.openKeyVaultView();
      await wb.expand('fabrikam-ml-lab');
      await wb.waitForTreeItem('hf-token');
      // a string, not a function: tsx would wrap inner functions in a helper the page does not have
      const colours = await wb.page.evaluate(`(() => {
        const bg = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c && !/rgba\\(\\d+, \\d+, \\d+, 0\\)|transparent/.test(c)) return c;
          }
          return 'rgb(255, 255, 255)';
        };
        const tab = document.querySelector('.part.activitybar .action-item a[aria-label^="Key Vault"]');
        const icon = document.querySelector('.part.sidebar .monaco-list-row[role="treeitem"] .codicon-key');
        return {
          activity: tab ? getComputedStyle(tab).backgroundColor : '', activityBg: bg(tab && tab.parentElement),
          tree: icon ? getComputedStyle(icon).color : '', treeBg: bg(icon),
        };
      })()`) as { activity: string; activityBg: string; tree: string; treeBg: string };
      assert.ok(colours.activity && colours.tree, `icons found: ${JSON.stringify(colours)}`);
      assert.ok(contrast(colours.activity, colours.activityBg) >= 3, `activity-bar icon contrast in ${theme}: ${JSON.stringify(colours)}`);
      assert.ok(contrast(colours.tree, colours.treeBg) >= 3, `tree icon contrast in ${theme}: ${JSON.stringify(colours)}`);
      await wb.screenshot(`theme-${theme.toLowerCase().replace(/^default /, '').replace(/\s+/g, '-')}`, { clip: { x: 0, y: 0, width: 540, height: 220 } });
    });
  }
});

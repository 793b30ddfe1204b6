// Screen-sharing safety. Presentation mode (setting keyVault.presentationMode, toggled from the status bar): the
// tree and hovers hide tag values and content types, every reveal view opens masked until a click, and copying a
// value names nothing on screen. Reveal views close themselves after keyVault.reveal.closeAfterSeconds.
import * as vscode from 'vscode';

let presenting = false;

/** Whether presentation mode is on (read by tree items and hovers as they render). */
export function isPresenting(): boolean {
  return presenting;
}

const readSetting = () => vscode.workspace.getConfiguration('keyVault').get<boolean>('presentationMode', false) === true;

export class PresentationMode implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('keyVault.presentationMode', vscode.StatusBarAlignment.Right, 90);
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.item, this.changed];

  constructor() {
    presenting = readSetting();
    this.item.name = vscode.l10n.t('Key Vault presentation mode');
    this.item.command = 'keyVault.togglePresentationMode';
    this.render();
    this.item.show();
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('keyVault.presentationMode')) return;
      const now = readSetting();
      if (now === presenting) return;
      presenting = now;
      this.render();
      this.changed.fire(now);
    }));
  }

  /** Flips the setting where it is set (a workspace value wins over the user's, so that is the one to change). */
  async toggle(): Promise<boolean> {
    const config = vscode.workspace.getConfiguration('keyVault');
    const where = config.inspect<boolean>('presentationMode');
    const target = where?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
      : where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('presentationMode', !presenting, target);
    return readSetting();
  }

  private render(): void {
    if (presenting) {
      this.item.text = '$(eye-closed) ' + vscode.l10n.t('Presenting');
      this.item.tooltip = vscode.l10n.t('Key Vault presentation mode is on: tag values, content types and secret values are hidden. Click to turn it off.');
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      this.item.text = '$(eye) ' + vscode.l10n.t('Key Vault');
      this.item.tooltip = vscode.l10n.t('Key Vault presentation mode is off. Click to hide tag values, content types and secret values while you share your screen.');
      this.item.backgroundColor = undefined;
    }
    this.item.accessibilityInformation = { label: presenting ? vscode.l10n.t('Key Vault presentation mode on') : vscode.l10n.t('Key Vault presentation mode off') };
  }

  dispose(): void {
    presenting = false;
    for (const d of this.disposables) d.dispose();
  }
}

/** Closes reveal views (secret values, Airflow connections) after keyVault.reveal.closeAfterSeconds (0: never). */
export class RevealAutoClose implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly isRevealView: (uri: vscode.Uri) => boolean) {
    // The tabs are watched from the first reveal view on (the tab model costs the extension host time to build)
    const opened = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!this.isRevealView(doc.uri)) return;
      opened.dispose();
      this.watchTabs();
    });
    this.disposables = [opened];
  }

  private watchTabs(): void {
    this.disposables.push(vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of [...e.opened, ...e.changed]) {
        const uri = tabUri(tab);
        if (uri && this.isRevealView(uri)) this.schedule(uri);
      }
      // closed by hand: a later reveal of the same secret gets its full time
      for (const tab of e.closed) {
        const key = tabUri(tab)?.toString();
        if (key && this.timers.has(key) && !openTabs().some((t) => tabUri(t)?.toString() === key)) {
          clearTimeout(this.timers.get(key));
          this.timers.delete(key);
        }
      }
    }));
    // a tab that opened before this listener did
    for (const tab of openTabs()) {
      const uri = tabUri(tab);
      if (uri && this.isRevealView(uri)) this.schedule(uri);
    }
  }

  private schedule(uri: vscode.Uri): void {
    const seconds = vscode.workspace.getConfiguration('keyVault').get<number>('reveal.closeAfterSeconds', 0);
    const key = uri.toString();
    if (!(seconds > 0) || this.timers.has(key)) return;
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      const tabs = openTabs().filter((t) => tabUri(t)?.toString() === key);
      if (tabs.length) void vscode.window.tabGroups.close(tabs, true);
    }, seconds * 1000));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

const openTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);

function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  return tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
}

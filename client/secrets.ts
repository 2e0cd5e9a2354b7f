// Database passwords typed in the editor: kept in VS Code's SecretStorage (the OS keychain where there is one),
// never in settings, never in the log. One per (project, target).
import type * as vscode from 'vscode';

export class DatabasePasswords {
  /**
   * What SecretStorage answered, per key: every status read sends the password, and asking SecretStorage takes
   * 50-90 ms (a round trip through the window), twice on the way to the Migrations view's rows. Forgotten when the
   * secret changes, in this window (store, delete) or another (onDidChange).
   */
  private readonly known = new Map<string, Promise<string | undefined>>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    secrets.onDidChange?.((e) => this.known.delete(e.key));
  }

  private key(root: string, target: string): string {
    return `pgmig.password:${root}:${target || 'default'}`;
  }

  get(root: string, target: string): Thenable<string | undefined> {
    const key = this.key(root, target);
    let answer = this.known.get(key);
    if (!answer) {
      answer = Promise.resolve(this.secrets.get(key));
      this.known.set(key, answer);
      answer.catch(() => this.known.delete(key)); // asked again next time
    }
    return answer;
  }

  store(root: string, target: string, password: string): Thenable<void> {
    const key = this.key(root, target);
    this.known.delete(key);
    return Promise.resolve(this.secrets.store(key, password)).finally(() => this.known.delete(key));
  }

  delete(root: string, target: string): Thenable<void> {
    const key = this.key(root, target);
    this.known.delete(key);
    return Promise.resolve(this.secrets.delete(key)).finally(() => this.known.delete(key));
  }
}

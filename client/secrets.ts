// Database passwords typed in the editor: kept in VS Code's SecretStorage (the OS keychain where there is one),
// never in settings, never in the log. One per (project, target).
import type * as vscode from 'vscode';

export class DatabasePasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(root: string, target: string): string {
    return `pgmig.password:${root}:${target || 'default'}`;
  }

  get(root: string, target: string): Thenable<string | undefined> {
    return this.secrets.get(this.key(root, target));
  }

  store(root: string, target: string, password: string): Thenable<void> {
    return this.secrets.store(this.key(root, target), password);
  }

  delete(root: string, target: string): Thenable<void> {
    return this.secrets.delete(this.key(root, target));
  }
}

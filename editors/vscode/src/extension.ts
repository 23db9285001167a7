// VS Code extension: starts `corroborate lsp` for plain-text and Markdown
// articles and shows its diagnostics, hovers and code actions.
import { execFile } from "child_process";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { matrixArgs, missingServerMessage, progressText, resolveServer, serverOptions, Settings, statusText } from "./logic";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let indexing: string | undefined;

function settings(): Settings {
  const c = vscode.workspace.getConfiguration("corroborate");
  return {
    serverPath: c.get<string>("server.path", ""),
    documentSelector: c.get<string[]>("documentSelector", ["plaintext", "markdown"]),
    diagnostics: {
      conflict: c.get<boolean>("diagnostics.conflict", true),
      tension: c.get<boolean>("diagnostics.tension", true),
      singleSource: c.get<boolean>("diagnostics.singleSource", false),
      dateMismatch: c.get<boolean>("diagnostics.dateMismatch", true),
      debounceMs: c.get<number>("diagnostics.debounceMs", 150),
    },
    inlayHints: { enable: c.get<boolean>("inlayHints.enable", true) },
    files: {
      globs: c.get<string[]>("files.globs", ["**/*.txt", "**/*.md"]),
      maxBytes: c.get<number>("files.maxBytes", 20 * 1024 * 1024),
    },
    overrides: c.get<Settings["overrides"]>("overrides", []),
    review: { author: c.get<string>("review.author", "") },
  };
}

function conflictCount(): number {
  let n = 0;
  for (const [, diags] of vscode.languages.getDiagnostics()) {
    n += diags.filter((d) => d.source === "corroborate" && d.code === "conflict").length;
  }
  return n;
}

function updateStatus(): void {
  status.text = statusText(indexing, conflictCount());
  status.show();
}

async function start(): Promise<void> {
  const s = settings();
  const found = resolveServer(process.env, s.serverPath);
  if (!found.path) {
    const msg = missingServerMessage(found.tried);
    output.appendLine(msg);
    void vscode.window.showErrorMessage(msg, "Open Settings").then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "corroborate.server.path");
    });
    return;
  }
  output.appendLine(`corroborate: starting ${found.path} lsp`);
  const server: ServerOptions = { command: found.path, args: ["lsp"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: s.documentSelector.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    initializationOptions: serverOptions(s),
    outputChannel: output,
    middleware: {
      // Indexing progress for the status bar. A middleware, not a `$/progress`
      // notification handler: that would replace the client's own progress
      // dispatch, and VS Code's progress notification would never see it.
      handleWorkDoneProgress: (token, params, next) => {
        indexing = progressText(params);
        updateStatus();
        next(token, params);
      },
    },
  };
  client = new LanguageClient("corroborate", "corroborate", server, clientOptions);
  client.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      indexing = undefined;
      updateStatus();
    }
  });
  await client.start();
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  await start();
}

async function showSources(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const locations = await vscode.commands.executeCommand<vscode.Location[]>(
    "vscode.executeDefinitionProvider",
    editor.document.uri,
    editor.selection.active,
  );
  if (!locations || locations.length === 0) {
    void vscode.window.showInformationMessage("corroborate: no other source speaks of this claim.");
    return;
  }
  await vscode.commands.executeCommand(
    "editor.action.peekLocations",
    editor.document.uri,
    editor.selection.active,
    locations,
    "peek",
  );
}

/** The cross-source matrix of the workspace (`corroborate report`) in a webview. */
async function showMatrix(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage("corroborate: open a folder of articles first.");
    return;
  }
  const found = resolveServer(process.env, settings().serverPath);
  if (!found.path) {
    void vscode.window.showErrorMessage(missingServerMessage(found.tried));
    return;
  }
  const out = path.join(os.tmpdir(), `corroborate-matrix-${process.pid}.html`);
  const bin = found.path;
  await new Promise<void>((resolve) => {
    execFile(bin, matrixArgs(folder.uri.fsPath, out), { maxBuffer: 1 << 24 }, (err, _stdout, stderr) => {
      if (err) output.appendLine(`corroborate report failed: ${stderr || err.message}`);
      resolve();
    });
  });
  let html: string;
  try {
    html = await fsp.readFile(out, "utf8");
  } catch {
    void vscode.window.showErrorMessage("corroborate: the matrix could not be written (see the corroborate output).");
    return;
  }
  const panel = vscode.window.createWebviewPanel("corroborateMatrix", "Corroborate: Matrix", vscode.ViewColumn.Active, {
    enableScripts: true, // the page sorts its columns with an inline script
  });
  panel.webview.html = html;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("corroborate", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  status.command = "corroborate.showSources";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("corroborate.restartServer", restart),
    vscode.commands.registerCommand("corroborate.showSources", showSources),
    vscode.commands.registerCommand("corroborate.showMatrix", showMatrix),
    vscode.languages.onDidChangeDiagnostics(updateStatus),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("corroborate.server.path") || e.affectsConfiguration("corroborate.documentSelector")) {
        void restart();
      } else if (e.affectsConfiguration("corroborate") && client) {
        void client.sendNotification("workspace/didChangeConfiguration", { settings: serverOptions(settings()) });
      }
    }),
  );
  updateStatus();
  await start();
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}

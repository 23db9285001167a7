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
import {
  matrixArgs,
  missingServerMessage,
  NOTE_COMMANDS,
  progressText,
  resolveServer,
  serverOptions,
  Settings,
  statusText,
  storyIndex,
  storyOf,
  withNote,
  withoutBackLink,
} from "./logic";

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
      // "Mark this claim verified/disputed": ask what verifies or disputes it
      // first. Escape cancels (no mark); Enter on an empty box marks without a note.
      executeCommand: async (command, args, next) => {
        const prompt = NOTE_COMMANDS[command];
        if (!prompt) return next(command, args);
        const claim = typeof args[3] === "string" ? args[3] : "";
        const answer = await vscode.window.showInputBox({
          title: command === "corroborate.verify" ? "Mark this claim verified" : "Mark this claim disputed",
          prompt,
          placeHolder: claim.length > 80 ? claim.slice(0, 79) + "…" : claim,
          ignoreFocusOut: true,
        });
        if (answer === undefined) return undefined;
        return next(command, withNote(args, answer));
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
  // A folder of its own: a several-story report writes a page per story next to the index.
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "corroborate-matrix-"));
  let page: { html: string; title: string } | undefined;
  try {
    page = await matrixPage(found.path, folder.uri.fsPath, path.join(dir, "matrix.html"));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
  if (!page) return;
  const panel = vscode.window.createWebviewPanel("corroborateMatrix", page.title, vscode.ViewColumn.Active, {
    enableScripts: true, // the page sorts its columns with an inline script
  });
  panel.webview.html = page.html;
}

/** Run `corroborate report` into `out` and read the page to show (undefined: nothing to show). */
async function matrixPage(bin: string, folder: string, out: string): Promise<{ html: string; title: string } | undefined> {
  await new Promise<void>((resolve) => {
    execFile(bin, matrixArgs(folder, out), { maxBuffer: 1 << 24 }, (err, _stdout, stderr) => {
      if (err) output.appendLine(`corroborate report failed: ${stderr || err.message}`);
      resolve();
    });
  });
  let html: string;
  try {
    html = await fsp.readFile(out, "utf8");
  } catch {
    void vscode.window.showErrorMessage("corroborate: the matrix could not be written (see the corroborate output).");
    return undefined;
  }
  // Several stories: the report's first page is an index; show the story of
  // the article being edited, else let the user pick one.
  const stories = storyIndex(html);
  if (!stories || stories.length === 0) return { html, title: "Corroborate: Matrix" };
  let story = storyOf(stories, vscode.window.activeTextEditor?.document.uri.fsPath);
  if (!story) {
    const picked = await vscode.window.showQuickPick(
      stories.map((s) => ({
        label: s.title,
        description: `${s.sources.length} sources · ${s.conflicts} conflicts · ${s.tensions} tensions`,
        story: s,
      })),
      { title: "Corroborate: which story's matrix?" },
    );
    if (!picked) return undefined;
    story = picked.story;
  }
  try {
    html = withoutBackLink(await fsp.readFile(path.join(path.dirname(out), story.file), "utf8"));
  } catch {
    void vscode.window.showErrorMessage(`corroborate: the page of ${story.title} could not be read.`);
    return undefined;
  }
  return { html, title: `Corroborate: ${story.title}` };
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

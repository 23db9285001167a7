// The extension's pure logic, kept apart from the vscode API so that it can
// be unit-tested with node's test runner.
import * as fs from "fs";
import * as path from "path";

export interface Settings {
  serverPath: string;
  documentSelector: string[];
  diagnostics: { conflict: boolean; tension: boolean; singleSource: boolean; dateMismatch: boolean; debounceMs: number };
  inlayHints: { enable: boolean };
  files: { globs: string[]; maxBytes: number };
  overrides: { path: string; outlet?: string; published?: string; title?: string }[];
  review: { author: string };
}

/** Where the server binary is: $CORROBORATE_SERVER, then the setting, then PATH. */
export function resolveServer(
  env: Record<string, string | undefined>,
  settingPath: string,
  exists: (p: string) => boolean = isExecutable,
): { path?: string; tried: string[] } {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (env.CORROBORATE_SERVER) candidates.push(env.CORROBORATE_SERVER);
  if (settingPath) candidates.push(settingPath);
  for (const c of candidates) {
    tried.push(c);
    if (exists(c)) return { path: c, tried };
  }
  const exe = process.platform === "win32" ? "corroborate.exe" : "corroborate";
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter((d) => d.length > 0)) {
    const p = path.join(dir, exe);
    if (exists(p)) return { path: p, tried: [...tried, "PATH"] };
  }
  tried.push("PATH");
  return { tried };
}

export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The message shown when no server is found, with the fix. */
export function missingServerMessage(tried: string[]): string {
  return (
    "corroborate: the language server was not found (tried " +
    tried.join(", ") +
    "). Install it with `cargo install --path .` in the corroborate repository, " +
    "or set `corroborate.server.path` to the binary."
  );
}

/** Settings → the server's initializationOptions / didChangeConfiguration payload. */
export function serverOptions(s: Settings): Record<string, unknown> {
  return {
    diagnostics: { ...s.diagnostics },
    inlayHints: { ...s.inlayHints },
    files: { globs: [...s.files.globs], maxBytes: s.files.maxBytes },
    overrides: s.overrides.map((o) => ({ ...o })),
    // An empty author means "not set": the server then uses $USER.
    review: s.review.author.trim() ? { author: s.review.author.trim() } : {},
  };
}

/** Status bar text from indexing progress and the number of conflicts. */
export function statusText(indexing: string | undefined, conflicts: number): string {
  if (indexing) return `$(sync~spin) corroborate: ${indexing}`;
  if (conflicts === 0) return "$(check) corroborate";
  return `$(warning) corroborate: ${conflicts} conflict${conflicts === 1 ? "" : "s"}`;
}

/** What the status bar says during a work-done progress (undefined once it ends). */
export function progressText(p: { kind: string; title?: string; message?: string; percentage?: number }): string | undefined {
  if (p.kind === "end") return undefined;
  const text = p.message ?? p.title ?? "indexing";
  return p.percentage !== undefined && !text.includes("%") ? `${text} (${Math.round(p.percentage)}%)` : text;
}

/** The command line that writes the cross-source matrix of a folder. */
export function matrixArgs(folder: string, out: string): string[] {
  return ["report", folder, "--html", out];
}

/** One story of a several-story report, as its index page lists them. */
export interface StoryPage {
  file: string;
  title: string;
  sources: string[];
  conflicts: number;
  tensions: number;
}

/**
 * The stories listed by a report's index page (its `#corroborate-stories`
 * JSON), or undefined when the page is itself a story's page.
 */
export function storyIndex(html: string): StoryPage[] | undefined {
  const m = /<script type="application\/json" id="corroborate-stories">([\s\S]*?)<\/script>/.exec(html);
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]);
    if (!Array.isArray(v)) return undefined;
    return v.filter((s) => s && typeof s.file === "string" && !s.file.includes("/") && !s.file.includes("\\"));
  } catch {
    return undefined;
  }
}

/** The story whose sources include the file being edited, if one does. */
export function storyOf(stories: StoryPage[], file: string | undefined): StoryPage | undefined {
  if (!file) return undefined;
  const norm = (p: string) => path.resolve(p);
  return stories.find((s) => s.sources.some((src) => norm(src) === norm(file)));
}

/** A story page without its link back to the index (a webview cannot follow it). */
export function withoutBackLink(html: string): string {
  return html.replace(/<nav class="back"[^>]*>[\s\S]*?<\/nav>\n?/, "");
}

/** The commands that ask the reviewer for a note before marking a claim. */
export const NOTE_COMMANDS: Record<string, string> = {
  "corroborate.verify": "What verifies this claim? A note, a source URL, or both (Enter: no note; Escape: cancel)",
  "corroborate.dispute": "Why is this claim disputed? (Enter: no note; Escape: cancel)",
};

/**
 * The mark command's arguments with the reviewer's answer as its detail
 * (`{note, source}`): a URL in the answer is the source, the rest the note.
 * An empty answer marks without a note.
 */
export function withNote(args: unknown[], answer: string): unknown[] {
  const text = answer.trim();
  const url = /\bhttps?:\/\/\S+/.exec(text);
  const detail: { note?: string; source?: string } = {};
  if (url) {
    detail.source = url[0];
    const rest = (text.slice(0, url.index) + text.slice(url.index + url[0].length)).replace(/\s+/g, " ").trim();
    const note = rest.replace(/^[\s—–:;,-]+|[\s—–:;,-]+$/g, "");
    if (note) detail.note = note;
  } else if (text) {
    detail.note = text;
  }
  const out = args.slice(0, 4);
  while (out.length < 4) out.push(null);
  out.push(detail);
  return out;
}

// Unit tests of the extension's pure logic (node --test).
const test = require("node:test");
const assert = require("node:assert");
const logic = require("../dist/logic.test-build.js");

test("the environment variable wins, then the setting, then PATH", () => {
  const exists = (p) => ["/env/corroborate", "/set/corroborate", "/bin/corroborate"].includes(p);
  assert.strictEqual(logic.resolveServer({ CORROBORATE_SERVER: "/env/corroborate", PATH: "/bin" }, "/set/corroborate", exists).path, "/env/corroborate");
  assert.strictEqual(logic.resolveServer({ PATH: "/bin" }, "/set/corroborate", exists).path, "/set/corroborate");
  assert.strictEqual(logic.resolveServer({ PATH: "/usr/x:/bin" }, "", exists).path, "/bin/corroborate");
});

test("a missing server says what was tried and how to fix it", () => {
  const r = logic.resolveServer({ PATH: "/nowhere" }, "/bad/path", () => false);
  assert.strictEqual(r.path, undefined);
  const msg = logic.missingServerMessage(r.tried);
  assert.match(msg, /\/bad\/path/);
  assert.match(msg, /corroborate\.server\.path/);
});

test("settings become the server's initialization options", () => {
  const o = logic.serverOptions({
    serverPath: "x",
    documentSelector: ["plaintext"],
    diagnostics: { conflict: true, tension: false, singleSource: true, dateMismatch: true, debounceMs: 50 },
    inlayHints: { enable: false },
    files: { globs: ["**/*.txt"], maxBytes: 1000 },
    overrides: [{ path: "a.txt", outlet: "Example Post" }],
    review: { author: " ana " },
  });
  assert.deepStrictEqual(o, {
    diagnostics: { conflict: true, tension: false, singleSource: true, dateMismatch: true, debounceMs: 50 },
    inlayHints: { enable: false },
    files: { globs: ["**/*.txt"], maxBytes: 1000 },
    overrides: [{ path: "a.txt", outlet: "Example Post" }],
    review: { author: "ana" },
  });
  // No author set: the key is left out, so the server falls back to $USER.
  const none = logic.serverOptions({
    serverPath: "", documentSelector: [], inlayHints: { enable: true },
    diagnostics: { conflict: true, tension: true, singleSource: false, dateMismatch: true, debounceMs: 150 },
    files: { globs: [], maxBytes: 1 }, overrides: [], review: { author: "" },
  });
  assert.deepStrictEqual(none.review, {});
  assert.strictEqual("serverPath" in o, false);
});

test("status bar text", () => {
  assert.match(logic.statusText("Indexing 3/10 articles", 0), /Indexing 3\/10/);
  assert.match(logic.statusText(undefined, 2), /2 conflicts/);
  assert.match(logic.statusText(undefined, 1), /1 conflict$/);
});

test("indexing progress text, cleared at the end", () => {
  assert.strictEqual(logic.progressText({ kind: "begin", title: "Indexing articles" }), "Indexing articles");
  assert.strictEqual(logic.progressText({ kind: "report", message: "3/10", percentage: 30 }), "3/10 (30%)");
  assert.strictEqual(logic.progressText({ kind: "report", message: "30% done", percentage: 30 }), "30% done");
  assert.strictEqual(logic.progressText({ kind: "end" }), undefined);
});

test("the matrix command line", () => {
  assert.deepStrictEqual(logic.matrixArgs("/ws", "/tmp/m.html"), ["report", "/ws", "--html", "/tmp/m.html"]);
});

test("a several-story index lists its story pages; a story page lists none", () => {
  const stories = [
    { file: "m-1-a.html", title: "Story 1: A", sources: ["/ws/a.txt", "/ws/b.txt"], conflicts: 1, tensions: 0 },
    { file: "m-2.html", title: "Story 2", sources: ["/ws/c.txt"], conflicts: 0, tensions: 2 },
    { file: "../evil.html", title: "x", sources: [], conflicts: 0, tensions: 0 },
  ];
  const json = JSON.stringify(stories).replace(/<\//g, "<\\/");
  const index = `<html><body><script type="application/json" id="corroborate-stories">${json}</script></body></html>`;
  const listed = logic.storyIndex(index);
  assert.deepStrictEqual(listed.map((s) => s.file), ["m-1-a.html", "m-2.html"], "no paths outside the folder");
  assert.strictEqual(logic.storyIndex("<html><body><table class=\"matrix\"></table></body></html>"), undefined);
  assert.strictEqual(logic.storyOf(listed, "/ws/c.txt").file, "m-2.html");
  assert.strictEqual(logic.storyOf(listed, "/ws/./b.txt").file, "m-1-a.html");
  assert.strictEqual(logic.storyOf(listed, "/elsewhere.txt"), undefined);
  assert.strictEqual(logic.storyOf(listed, undefined), undefined);
  const page = '<header>\n<nav class="back" aria-label="All stories"><a href="m.html">← all stories</a></nav>\n<h1>x</h1>';
  assert.strictEqual(logic.withoutBackLink(page), "<header>\n<h1>x</h1>");
});

test("the reviewer's answer becomes the mark's note and source", () => {
  const args = ["file:///ws/a.txt", 10, 20, "claim"];
  assert.deepStrictEqual(logic.withNote(args, "checked the transcript"), [...args, { note: "checked the transcript" }]);
  assert.deepStrictEqual(logic.withNote(args, "https://example.org/r"), [...args, { source: "https://example.org/r" }]);
  assert.deepStrictEqual(logic.withNote(args, "press release — https://example.org/r"), [...args, { note: "press release", source: "https://example.org/r" }]);
  assert.deepStrictEqual(logic.withNote(args, "   "), [...args, {}]);
  assert.deepStrictEqual(logic.withNote(args.slice(0, 3), "x"), [...args.slice(0, 3), null, { note: "x" }]);
  assert.ok(logic.NOTE_COMMANDS["corroborate.verify"] && logic.NOTE_COMMANDS["corroborate.dispute"]);
  assert.strictEqual(logic.NOTE_COMMANDS["corroborate.ignore"], undefined);
});

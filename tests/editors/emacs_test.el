;;; emacs_test.el --- the corroborate server in a real Emacs (eglot)  -*- lexical-binding: t -*-
;; Opens a seed article in the major mode $CORROBORATE_TEST_MODE, connects
;; eglot with the snippet of editors/README.md, waits for corroborate's
;; diagnostic (through Flymake) on the line of "more than 200 members",
;; requests a hover there and writes what it saw as JSON for emacs.sh.
(require 'eglot)
(require 'flymake)
(require 'json)

(let* ((ws (getenv "CORROBORATE_TEST_WS"))
       (out (getenv "CORROBORATE_TEST_OUT"))
       (bin (getenv "CORROBORATE_BIN"))
       (mode (intern (getenv "CORROBORATE_TEST_MODE")))
       (result (list (cons 'emacs emacs-version) (cons 'mode (symbol-name mode)))))
  ;; editors/README.md's snippet, with the binary under test.
  (add-to-list 'eglot-server-programs `((text-mode markdown-mode) . (,bin "lsp")))
  (condition-case err
      (progn
        (find-file (expand-file-name "000_d708aa83a71d4e9b.txt" ws))
        (unless (fboundp mode) (require mode))
        (funcall mode)
        (goto-char (point-min))
        (search-forward "more than 200 members")
        (let ((line (line-number-at-pos))
              (deadline (+ (float-time) 60))
              found)
          (push (cons 'line line) result)
          ;; What `eglot-ensure' does after the next command (there is none in batch).
          (apply #'eglot (eglot--guess-contact))
          (while (and (not (eglot-current-server)) (< (float-time) deadline))
            (accept-process-output nil 0.2))
          (push (cons 'connected (if (eglot-current-server) t :json-false)) result)
          (push (cons 'languageId (and (eglot-current-server)
                                       (eglot--language-id (eglot-current-server))))
                result)
          (flymake-mode 1)
          (while (and (not found) (eglot-current-server) (< (float-time) deadline))
            (accept-process-output nil 0.2)
            (flymake-start)
            (dolist (d (flymake-diagnostics))
              (when (= (line-number-at-pos (flymake-diagnostic-beg d)) line)
                (setq found (flymake-diagnostic-text d)))))
          (push (cons 'diagnostic (or found "")) result)
          (push (cons 'diagnostics
                      (vconcat (mapcar (lambda (d)
                                         (format "%d: %s" (line-number-at-pos (flymake-diagnostic-beg d))
                                                 (flymake-diagnostic-text d)))
                                       (flymake-diagnostics))))
                result)
          (when found
            (goto-char (point-min))
            (search-forward "more than 200 members")
            (backward-char 5)
            (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                           (eglot--TextDocumentPositionParams)
                                           :timeout 15))
                   (contents (plist-get hover :contents)))
              (push (cons 'hover (if (stringp contents) contents (or (plist-get contents :value) "")))
                    result)))))
    (error (push (cons 'error (format "%S" err)) result)))
  ;; Without a diagnostic, what eglot saw goes to the log emacs.sh prints:
  ;; the end of its events buffer and of the server's stderr.
  (unless (cdr (assq 'diagnostic result))
    (dolist (b (buffer-list))
      (when (string-match-p "EGLOT" (buffer-name b))
        (with-current-buffer b
          (message "=== %s ===\n%s" (buffer-name b)
                   (buffer-substring-no-properties (max (point-min) (- (point-max) 6000))
                                                   (point-max)))))))
  (with-temp-file out (insert (json-encode result)))
  (kill-emacs 0))

-- Neovim >= 0.11: the corroborate server's default configuration, found on
-- the 'runtimepath' by vim.lsp.config. With the plugin on the runtimepath,
--     vim.lsp.enable('corroborate')
-- is enough; require('corroborate').setup{...} overrides these fields.
return {
  cmd = { 'corroborate', 'lsp' },
  filetypes = { 'text', 'markdown' },
  -- The nearest corroborate.toml or .git, else the file's own folder: a plain
  -- folder of articles has no marker and still needs a root.
  root_dir = function(bufnr, on_dir)
    on_dir(require('corroborate').root(bufnr))
  end,
}

-- :checkhealth corroborate
local M = {}

local h = vim.health or require('health')
local start = h.start or h.report_start
local ok = h.ok or h.report_ok
local warn = h.warn or h.report_warn
local error = h.error or h.report_error

function M.check()
  start('corroborate')
  local v = vim.version()
  local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    ok('Neovim ' .. version .. ': uses vim.lsp.config / vim.lsp.enable')
  elseif vim.fn.has('nvim-0.7') == 1 then
    ok('Neovim ' .. version .. ': uses the fallback (vim.lsp.start or start_client)')
  else
    error('Neovim ' .. version .. ' is too old; 0.7 or newer is needed')
  end
  local cfg = require('corroborate').config
  local exe = cfg.cmd[1]
  if vim.fn.executable(exe) == 1 then
    local out = vim.fn.system({ exe, '--version' })
    ok('server found: ' .. vim.fn.exepath(exe) .. ' (' .. vim.trim(out) .. ')')
  else
    error('server not found: ' .. exe, {
      'Install it with `cargo install --path .` in the corroborate repository,',
      'or pass its path: require("corroborate").setup{ cmd = { "/path/to/corroborate", "lsp" } }',
    })
  end
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = 'corroborate' })
  if #clients > 0 then
    ok(#clients .. ' corroborate client(s) running')
  else
    warn('no corroborate client running (open a text or Markdown file)')
  end
end

return M

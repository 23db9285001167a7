-- Headless Neovim end-to-end test of the corroborate plugin: open a seed
-- article, wait for the conflict diagnostic on the line that states it,
-- hover there, and write what was seen as JSON for nvim.sh to check.
local ws = os.getenv('CORROBORATE_TEST_WS')
local out = os.getenv('CORROBORATE_TEST_OUT')
-- Filetype detection is switched on after the init file; the test edits now.
vim.cmd('filetype on')
vim.opt.runtimepath:prepend(os.getenv('CORROBORATE_PLUGIN'))
-- CORROBORATE_TEST_PATH=start: hide vim.lsp.config/enable so that a current
-- Neovim takes the plugin's 0.8-0.10 path (vim.lsp.start); no Neovim 0.8-0.10
-- binary is installable offline here, so this is how that path is exercised.
if os.getenv('CORROBORATE_TEST_PATH') == 'start' then
  rawset(vim.lsp, 'config', nil)
  rawset(vim.lsp, 'enable', nil)
end
require('corroborate').setup({ cmd = { os.getenv('CORROBORATE_BIN'), 'lsp' } })

local result = { nvim = tostring(vim.version and vim.version() or '?'), found = false, hover = '', diagnostics = {} }
-- Which registration the plugin used (the 0.11 path leaves a vim.lsp.config entry).
result.path = (vim.lsp.config and vim.fn.has('nvim-0.11') == 1) and 'vim.lsp.config' or (vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client')
local function finish()
  local f = io.open(out, 'w')
  if f then
    f:write(vim.fn.json_encode(result))
    f:close()
  end
  vim.cmd('qa!')
end

local ok_run, err = pcall(function()
  vim.cmd('edit ' .. ws .. '/000_d708aa83a71d4e9b.txt')
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  local target
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find('more than 200 members', 1, true) then
      target = i - 1
    end
  end
  result.line = target
  local hit
  result.found = vim.wait(30000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.lnum == target and d.source == 'corroborate' then
        hit = d
        return true
      end
    end
    return false
  end, 100)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, severity = d.severity, source = d.source, message = d.message })
  end
  if not hit then
    return
  end
  vim.api.nvim_win_set_cursor(0, { hit.lnum + 1, hit.col })
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.tbl_values(vim.lsp.buf_get_clients(buf))
  local enc = clients[1] and clients[1].offset_encoding or 'utf-16'
  result.encoding = enc
  local params = vim.lsp.util.make_position_params(0, enc)
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 15000) or {}
  for _, r in pairs(res) do
    if r.result and r.result.contents then
      local c = r.result.contents
      result.hover = type(c) == 'table' and (c.value or vim.inspect(c)) or tostring(c)
    end
  end
end)
if not ok_run then
  result.error = tostring(err)
end
finish()

-- corroborate for Neovim: starts `corroborate lsp` for text and Markdown
-- buffers. Neovim >= 0.11 uses vim.lsp.config/vim.lsp.enable; 0.8-0.10 use
-- vim.lsp.start; 0.7 uses vim.lsp.start_client + vim.lsp.buf_attach_client.
local M = {}

M.defaults = {
  cmd = { 'corroborate', 'lsp' },
  filetypes = { 'text', 'markdown' },
  root_markers = { 'corroborate.toml', '.git' },
  -- Sent as initializationOptions (see `:help corroborate-settings`).
  settings = {},
}

M.config = vim.deepcopy(M.defaults)

local function has(v)
  return vim.fn.has('nvim-' .. v) == 1
end

--- The workspace root of a buffer: nearest corroborate.toml or .git, else
--- the file's own folder.
function M.root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name == '' then
    return vim.fn.getcwd()
  end
  local dir = vim.fn.fnamemodify(name, ':p:h')
  for _, marker in ipairs(M.config.root_markers) do
    local f = vim.fn.findfile(marker, dir .. ';')
    if f ~= '' then
      return vim.fn.fnamemodify(f, ':p:h')
    end
    local d = vim.fn.finddir(marker, dir .. ';')
    if d ~= '' then
      return vim.fn.fnamemodify(d, ':p:h:h')
    end
  end
  return dir
end

-- An empty Lua table is encoded as a JSON array ([]); the server's settings are
-- an object, so send {} when there are none.
local function as_object(t)
  if next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

local function client_config(bufnr)
  return {
    name = 'corroborate',
    cmd = M.config.cmd,
    root_dir = M.root(bufnr),
    init_options = as_object(M.config.settings),
    settings = { corroborate = as_object(M.config.settings) },
  }
end

local client_id_07 = nil

local function start_legacy(bufnr)
  if vim.lsp.start then
    vim.lsp.start(client_config(bufnr), { bufnr = bufnr })
    return
  end
  -- Neovim 0.7: one client for the session, attached to each buffer.
  if client_id_07 == nil or vim.lsp.get_client_by_id(client_id_07) == nil then
    client_id_07 = vim.lsp.start_client(client_config(bufnr))
  end
  if client_id_07 then
    vim.lsp.buf_attach_client(bufnr, client_id_07)
  end
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  if vim.lsp.config and vim.lsp.enable and has('0.11') then
    vim.lsp.config('corroborate', {
      cmd = M.config.cmd,
      filetypes = M.config.filetypes,
      -- The nearest marker, else the file's folder (root_markers alone would
      -- leave a folder of articles without a root).
      root_dir = function(bufnr, on_dir)
        on_dir(M.root(bufnr))
      end,
      init_options = as_object(M.config.settings),
      settings = { corroborate = as_object(M.config.settings) },
    })
    vim.lsp.enable('corroborate')
    return
  end
  local group = vim.api.nvim_create_augroup('corroborate', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      start_legacy(args.buf)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
      start_legacy(buf)
    end
  end
end

return M

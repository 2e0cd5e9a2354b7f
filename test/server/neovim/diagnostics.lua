-- Run by test/server/neovim.test.mjs: `nvim --headless -u NONE -c "luafile diagnostics.lua"` (Neovim 0.7.2 API).
-- Starts the pgmig language server with vim.lsp.start_client, opens a file, waits for the server's diagnostics and
-- writes every publishDiagnostics it received (by URI) as JSON to $PGMIG_OUT, then quits.
local server = os.getenv('PGMIG_SERVER')
local file = os.getenv('PGMIG_FILE')
local root = os.getenv('PGMIG_ROOT')
local out = os.getenv('PGMIG_OUT')
local wanted = vim.uri_from_fname(file)
-- Other files whose (pushed) diagnostics to wait for, comma-separated: a project's fixtures, never opened here.
local also = {}
for f in string.gmatch(os.getenv('PGMIG_ALSO') or '', '[^,]+') do table.insert(also, vim.uri_from_fname(f)) end
local received = {}
local errors = {}

local default_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
local client_id = vim.lsp.start_client({
  name = 'pgmig',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'project' } },
  init_options = { trusted = false },
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      if result then received[result.uri] = result.diagnostics end
      -- Neovim's own handling too, so the diagnostics are what the editor shows.
      pcall(default_handler, err, result, ctx, config)
    end,
  },
  on_exit = function(code) if code ~= 0 then table.insert(errors, 'server exited with ' .. code) end end,
})
if not client_id then
  table.insert(errors, 'vim.lsp.start_client failed')
else
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  vim.lsp.buf_attach_client(0, client_id)
  local ok = vim.wait(30000, function()
    if received[wanted] == nil or #received[wanted] == 0 then return false end
    for _, u in ipairs(also) do if received[u] == nil then return false end end
    return true
  end, 50)
  if not ok then table.insert(errors, 'no diagnostics for ' .. wanted) end
  -- What Neovim itself now holds for the buffer (vim.diagnostic), as a cross-check.
  local shown = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(shown, { code = d.code, lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col })
  end
  received['buffer'] = shown
end

local fh = io.open(out, 'w')
fh:write(vim.fn.json_encode({ diagnostics = received, errors = errors, version = vim.version() }))
fh:close()
if client_id then vim.lsp.stop_client(client_id, true) end
vim.cmd('qa!')

-- Punie's client config for Neovim 0.11's `vim.lsp.enable('punie')`; customize it with
-- `vim.lsp.config('punie', {...})`. Options set with require('punie').setup() apply too.
local client = require('punie.client')
local config = require('punie.config')

local settings = config.server_settings()

--- @type vim.lsp.Config
return {
  -- A function so that the command is found per workspace (the project's .venv first).
  cmd = function(dispatchers, client_config)
    local root = client_config.root_dir or vim.fn.getcwd()
    return vim.lsp.rpc.start(config.server_cmd(root), dispatchers, { cwd = root })
  end,
  -- No filetypes: every file buffer, so the server edits what Neovim holds.
  -- The nearest root marker, else the current directory: Punie always needs a workspace.
  root_dir = function(bufnr, on_dir)
    on_dir(config.root_for(bufnr))
  end,
  init_options = settings,
  settings = { punie = settings },
  capabilities = client.capabilities(),
  handlers = client.handlers,
  on_exit = client.on_exit,
}

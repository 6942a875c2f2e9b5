-- Neovim 0.11's own way: vim.lsp.enable('punie') attaches the client to a file buffer,
-- and :PunieStatus's API reaches that server.
local T = require('punie_test')
T.run(function()
  vim.lsp.config('punie', { cmd = T.cmd })
  vim.lsp.enable('punie')
  vim.cmd.edit(vim.env.PUNIE_TEST_FILE)
  local buf = vim.api.nvim_get_current_buf()
  T.wait(60000, function()
    local client = vim.lsp.get_clients({ bufnr = buf, name = 'punie' })[1]
    return client ~= nil and client.initialized
  end, 'the punie client to attach')
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'punie' })[1]
  return { root = client.root_dir, status = require('punie').status(10000) }
end)

-- The plugin's plain functions, without a server: each entry of the result is one fact.
local T = require('punie_test')
T.run(function()
  local config = require('punie.config')
  local render = require('punie.render')
  local facts = {}

  local root = assert(vim.env.PUNIE_TEST_ROOT)
  facts.cmd_without_venv = config.server_cmd(root)
  local venv_bin = root .. '/.venv/bin'
  vim.fn.mkdir(venv_bin, 'p')
  vim.fn.writefile({ '#!/bin/sh' }, venv_bin .. '/punie')
  vim.fn.setfperm(venv_bin .. '/punie', 'rwxr-xr-x')
  facts.cmd_with_venv = config.server_cmd(root)
  config.set({ cmd = { 'my-punie', 'serve', '--log-file', 'x' } })
  facts.cmd_configured = config.server_cmd(root)

  config.set({})
  facts.default_settings = config.server_settings()
  config.set({ model = 'm', max_turns = 2, auto_allow = {}, typecheck_on_save = false })
  facts.settings = config.server_settings()
  facts.bad_option = select(2, pcall(config.set, { max_turns = 'two' }))
  facts.unknown_option = select(2, pcall(config.set, { filetypes = { 'python' } }))
  facts.bad_writes = select(2, pcall(config.set, { writes = 'sometimes' }))
  config.set({ writes = 'auto' })
  facts.auto_writes_settings = config.server_settings()
  facts.capabilities = require('punie.client').capabilities().workspace.workspaceEdit

  facts.refused_step = render.output_lines({
    code = 'run_command("pytest")',
    stdout = 'before\n',
    error = { type = 'PermissionError', message = 'command refused by user: pytest' },
  })

  -- :'<,'>PunieAsk hands the selection, its file and range to ask().
  local asked
  require('punie').ask = function(text)
    asked = text
  end
  vim.cmd.edit(root .. '/pkg/mod.py')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'a = 1', 'b = 2', 'c = 3' })
  vim.cmd('2,3PunieAsk What do these do?')
  facts.selection_question = asked
  return facts
end)

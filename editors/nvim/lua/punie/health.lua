--- `:checkhealth punie`: Neovim version, server command, the server's `punie/status`.
local M = {}

-- Long enough for a cold `punie serve` (Python start-up and imports) on a slow machine.
local START_TIMEOUT_MS = 60000

local function check_server(client)
  local clients = require('punie.client')
  local started = nil
  clients.when_ready(client, function(ok, why)
    started = { ok = ok, why = why }
  end, START_TIMEOUT_MS)
  vim.wait(START_TIMEOUT_MS + 1000, function()
    return started ~= nil
  end, 50)
  if not (started and started.ok) then
    vim.health.error('the server did not start: ' .. tostring(started and started.why))
    return
  end
  local answer, err = clients.request_sync(client, 'punie/status', {}, 10000)
  if not answer or answer.err then
    vim.health.error(
      'the server did not answer punie/status: '
        .. tostring(answer and answer.err and answer.err.message or err)
    )
    return
  end
  local s = answer.result
  vim.health.ok(('server %s answers punie/status'):format(s.version))
  local model = ('model %s: %s'):format(s.model, s.modelState)
  if s.modelState == 'failed' then
    vim.health.error(model .. ' (' .. tostring(s.modelError) .. ')')
  else
    -- "unloaded" is healthy: the model loads on the first question.
    vim.health.ok(model)
  end
  if s.sandbox.backend == 'rlimits-only' then
    vim.health.warn('sandbox: rlimits only, snippets are not isolated', s.sandbox.warning)
  else
    vim.health.ok(('sandbox: %s (%d warm)'):format(s.sandbox.backend, s.sandbox.warm))
  end
end

function M.check()
  vim.health.start('Neovim')
  local v = vim.version()
  local version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.10') == 1 then
    vim.health.ok('Neovim ' .. version .. ' (Punie supports 0.10 and later)')
  else
    vim.health.error('Neovim ' .. version .. ' is too old: Punie needs 0.10 or later')
    return
  end

  vim.health.start('Server')
  local config = require('punie.config')
  local root = config.root_for(vim.api.nvim_get_current_buf())
  local cmd = config.server_cmd(root)
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    vim.health.error(('server command not found: %s'):format(table.concat(cmd, ' ')), {
      'Install Punie in the project (uv sync) or on PATH, or set `cmd` in setup()',
    })
    return
  end
  vim.health.ok(('server command: %s (%s)'):format(table.concat(cmd, ' '), exe))
  local client = require('punie.client').ensure(root)
  if not client then
    vim.health.error('could not start the server for ' .. root)
    return
  end
  check_server(client)
end

return M

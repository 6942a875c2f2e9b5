-- Punie's user commands. The plugin itself starts nothing until a command runs or
-- require('punie').setup() / vim.lsp.enable('punie') is called.
if vim.g.loaded_punie then
  return
end
vim.g.loaded_punie = true

local command = vim.api.nvim_create_user_command

--- The question for `:[range]PunieAsk {text}`: the text, plus the selected lines with
--- their file and range when a range was given.
--- @param opts table user-command args
--- @return string
local function question(opts)
  local text = opts.args
  if opts.range == 0 then
    return text
  end
  local buf = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(buf, opts.line1 - 1, opts.line2, false)
  local root = require('punie.config').root_for(buf)
  local path = vim.api.nvim_buf_get_name(buf)
  local shown = path == '' and '[No Name]' or vim.fs.relpath and vim.fs.relpath(root, path) or path
  return ('%s\n\n`%s` lines %d-%d:\n```%s\n%s\n```'):format(
    text ~= '' and text or 'Explain this code.',
    shown,
    opts.line1,
    opts.line2,
    vim.bo[buf].filetype,
    table.concat(lines, '\n')
  )
end

command('PunieChat', function()
  require('punie.chat').open()
end, { desc = 'Open the Punie chat' })

command('PunieAsk', function(opts)
  local text = question(opts)
  if vim.trim(text) == '' then
    vim.notify('punie: :PunieAsk needs a question', vim.log.levels.ERROR)
    return
  end
  if require('punie.config').options.ask_output == 'chat' then
    require('punie.chat').ask(text)
    return
  end
  local handle
  local writer = require('punie.float').open('Punie', function()
    if handle then
      handle:cancel()
    end
  end)
  handle = require('punie').ask(text, writer:callbacks())
end, { nargs = '*', range = true, desc = 'Ask Punie (with the selected lines when given a range)' })

command('PunieCancel', function()
  require('punie').cancel()
end, { desc = 'Cancel the running Punie turn' })

command('PunieReset', function()
  require('punie').reset()
  require('punie.chat').new_conversation()
end, { desc = 'Start a new Punie conversation' })

command('PunieStatus', function()
  local status = require('punie').status()
  local lines = { ('Punie · workspace %s'):format(status.root) }
  if not status.running then
    table.insert(
      lines,
      'server: not running (starts with the first question or :checkhealth punie)'
    )
  elseif status.server then
    local s = status.server
    table.insert(lines, ('server %s · model %s (%s)'):format(s.version, s.model, s.modelState))
    table.insert(
      lines,
      ('sandbox %s · %d warm · %d session(s)'):format(
        s.sandbox.backend,
        s.sandbox.warm,
        s.sessions
      )
    )
  else
    table.insert(lines, 'server: ' .. tostring(status.error))
  end
  table.insert(lines, 'state: ' .. (status.busy and 'running a turn' or 'idle'))
  local u = status.last_usage
  if u then
    table.insert(
      lines,
      ('last turn: %d prompt + %d completion tokens (%d cached) · %.0f tok/s · %d ms · %d turn(s)'):format(
        u.promptTokens or 0,
        u.completionTokens or 0,
        u.cachedTokens or 0,
        u.tokensPerSecond or 0,
        u.totalMs or 0,
        u.turns or 0
      )
    )
  end
  vim.notify(table.concat(lines, '\n'), vim.log.levels.INFO)
end, { desc = 'Show the Punie server, model and last usage' })

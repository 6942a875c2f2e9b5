-- :help punie and the command tags resolve (tags generated into a copy of doc/).
local T = require('punie_test')
T.run(function()
  local doc = assert(vim.env.PUNIE_TEST_DOC)
  vim.opt.runtimepath:prepend(vim.fs.dirname(doc))
  vim.cmd.helptags(doc)
  local found = {}
  for _, tag in ipairs({ 'punie', ':PunieChat', ':PunieAsk', 'punie.ask()', 'punie-health' }) do
    vim.cmd.help(tag)
    found[tag] = vim.fn.expand('%:t')
    vim.cmd.close()
  end
  return found
end)

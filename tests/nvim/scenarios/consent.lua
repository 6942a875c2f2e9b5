-- Consent denied through vim.ui.select: the step shows PermissionError, nothing runs.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd, auto_allow = {} })
  local asked = {}
  vim.ui.select = function(items, opts, on_choice)
    local titles = vim.tbl_map(function(item)
      return item.title
    end, items)
    table.insert(asked, { prompt = opts.prompt, actions = titles })
    for _, item in ipairs(items) do
      if item.title == 'Deny' then
        return on_choice(item)
      end
    end
    on_choice(nil)
  end
  return { answer = T.ask(vim.env.PUNIE_TEST_QUESTION), asked = asked }
end)

-- Cancelling during generation ends the turn with RequestCancelled; the next ask works.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  local cancelled = T.ask(vim.env.PUNIE_TEST_QUESTION, {
    on_text = function(_, handle)
      handle:cancel()
    end,
  })
  local next_answer = T.ask(vim.env.PUNIE_TEST_NEXT_QUESTION)
  return { cancelled = cancelled, next = next_answer }
end)

-- :PunieChat, a question typed at the prompt (Insert mode starts only after this script,
-- hence the "A"): the chat buffer ends up holding the streamed
-- reply and the step.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  -- Observe the turn's result without changing what the chat does with it.
  local punie, finished = require('punie'), nil
  local ask = punie.ask
  punie.ask = function(text, opts)
    local on_done = opts.on_done
    opts.on_done = function(result, err)
      on_done(result, err)
      finished = { result = result, err = err }
    end
    return ask(text, opts)
  end
  vim.cmd('PunieChat')
  local buf = vim.api.nvim_get_current_buf()
  local question = vim.env.PUNIE_TEST_QUESTION
  vim.api.nvim_feedkeys(
    vim.api.nvim_replace_termcodes('A' .. question .. '<CR>', true, false, true),
    'xt',
    false
  )
  T.wait(T.TURN_MS, function()
    return finished ~= nil
  end, 'the chat reply')
  return {
    buftype = vim.bo[buf].buftype,
    filetype = vim.bo[buf].filetype,
    lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
    result = finished.result,
    err = finished.err,
  }
end)

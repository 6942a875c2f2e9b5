-- The default review of a write to an open, modified buffer: the diff opens and takes the
-- focus; rejecting it changes nothing (the snippet gets a PermissionError); typing while
-- the diff is open makes accepting it fail as stale; accepting it applies the edit.
local T = require('punie_test')
T.run(function()
  local buf = T.open_attached(vim.env.PUNIE_TEST_FILE, { max_turns = 1 })
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'an unsaved line' })
  local question = vim.env.PUNIE_TEST_QUESTION
  local before = T.text(buf)

  local rejected = T.start_ask(question)
  local review = T.wait_review()
  local shown = vim.api.nvim_buf_get_lines(review, 0, -1, true)
  local focused = vim.api.nvim_get_current_buf() == review
  T.press('r')
  T.wait_turn(rejected, question)
  local after_reject = T.text(buf)

  require('punie').reset()
  local stale = T.start_ask(question)
  T.wait_review()
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'typed during the review' })
  local typed = T.text(buf)
  T.press('a')
  T.wait_turn(stale, question)
  local after_stale = T.text(buf)

  require('punie').reset()
  local notes = T.capture_notifications()
  local accepted = T.start_ask(question)
  T.wait_review()
  T.press('a')
  T.wait_turn(accepted, question)
  return {
    before = before,
    shown = shown,
    focused = focused,
    rejected = rejected,
    after_reject = after_reject,
    typed = typed,
    stale = stale,
    after_stale = after_stale,
    accepted = accepted,
    after_accept = T.text(buf),
    notes = notes,
    reviews_left = #require('punie.review').pending(),
  }
end)

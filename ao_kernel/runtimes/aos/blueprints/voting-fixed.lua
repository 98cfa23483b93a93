-- voting-fixed: the voting blueprint corrected (not in aos; ao-kernel's own). aos's
-- voting.lua (our `voting`, faithful) compares the staked amount, which staking keeps
-- as a string, with a number, so every Vote fails. This one counts the vote with bint
-- arithmetic: Vote (Side = yay | nay, Target = proposal, Deadline = blocks from now)
-- adds the voter's stake to that side; a finalize handler on every message closes
-- proposals whose deadline has passed and announces the result.
local bint = require('.bint')(256)

Votes = Votes or {}

local function height(msg)
  return tonumber(msg['Block-Height']) or 0
end

local voting = {}

function voting.vote(msg)
  local stake = Stakers and Stakers[msg.From]
  local amount = stake and bint(stake.amount) or bint(0)
  assert(amount > bint(0), 'No staked tokens to vote')
  local target = msg.Tags.Target or msg.Tags.Proposal
  local side = msg.Tags.Side
  local deadline = height(msg) + (tonumber(msg.Tags.Deadline) or 0)
  local entry = Votes[target] or { yay = '0', nay = '0', deadline = deadline }
  entry[side] = tostring(bint(entry[side] or '0') + amount)
  Votes[target] = entry
  msg.reply({ Data = 'Voted ' .. side .. ' on ' .. target })
end

function voting.finalize(msg)
  local now = height(msg)
  for target, entry in pairs(Votes) do
    if now >= entry.deadline then
      local result = bint(entry.yay) > bint(entry.nay) and 'passed' or 'failed'
      print('Vote on ' .. target .. ' ' .. result)
      Votes[target] = nil
    end
  end
end

Handlers.add('voting.vote', function(msg)
  if msg.Action == 'Vote' then return 'continue' end
  return false
end, voting.vote)
Handlers.prepend('voting.finalize', function() return 'continue' end, voting.finalize)

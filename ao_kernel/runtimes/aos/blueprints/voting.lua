-- Voting blueprint (aos's voting.lua, behaviour for behaviour; written for ao-kernel).
-- Needs staking's Stakers. Vote (Target = proposal, Side = yay | nay, Deadline =
-- blocks from now) adds the sender's stake to that side; a finalize handler that
-- runs on every other message clears proposals whose deadline has passed (printing
-- "Handle Vote" when yay leads).
--
-- Faithful to a fault, as the real blueprint is: staking keeps amounts as strings,
-- and the vote compares the stake with the number 0, so every Vote fails with
-- "attempt to compare number with string" (recording voting). `voting-fixed` is a
-- corrected blueprint under its own name.
Balances = Balances or {}
Votes = Votes or {}

function Handlers.vote(msg)
  local quantity = Stakers[msg.From].amount
  local target = msg.Tags.Target
  local side = msg.Tags.Side
  local deadline = tonumber(msg['Block-Height']) + tonumber(msg.Tags.Deadline)
  assert(quantity > 0, "No staked tokens to vote")
  Votes[target] = Votes[target] or { yay = 0, nay = 0, deadline = deadline }
  Votes[target][side] = Votes[target][side] + quantity
end

local function finalize(msg)
  local height = tonumber(msg['Block-Height'])
  for target, info in pairs(Votes) do
    if height >= info.deadline then
      if info.yay > info.nay then print("Handle Vote") end
      Votes[target] = nil
    end
  end
end

-- -1 becomes 1 (continue); a plain true still breaks, so finalize never sees a Vote
local function continue(pattern)
  return function(msg)
    local r = pattern(msg)
    if r == -1 then return 1 end
    return r
  end
end

Handlers.add("vote", continue(Handlers.utils.hasMatchingTag("Action", "Vote")), Handlers.vote)
Handlers.add("finalize", function() return "continue" end, finalize)

-- Trinity: a stand-in for the live process of the AO Cookbook's chatroom, token and
-- tokengating tutorials. Written for ao-kernel; the words are ours, the flow is the
-- cookbook's:
--   Action = "Join" (sent by your chatroom) -> she Registers and asks it to Broadcast her
--                                             challenge: make a token, send her 1000
--   a Credit-Notice of at least 1000        -> she thanks you and asks for tokengating
--   Data = "It is done", broadcast by a tokengated chatroom (Action = "Broadcasted")
--                                           -> she confirms; an ungated broadcast (no
--                                              Action) gets a reminder instead
Received = Received or {}
Convinced = Convinced or {}

local function trimmed(data)
  if type(data) ~= "string" then return "" end
  return (data:gsub("^%s+", ""):gsub("%s+$", ""))
end

Handlers.add("join", "Join", function(msg)
  ao.send({ Target = msg.From, Action = "Register" })
  ao.send({
    Target = msg.From,
    Action = "Broadcast",
    Data = "Trinity here. Morpheus thinks you are the one; I need proof. Create a token " ..
      "in your process and transfer 1000 of it to me.",
  })
end)

Handlers.add("credit", "Credit-Notice", function(msg)
  local qty = tonumber(msg.Quantity) or 0
  Received[msg.From] = (Received[msg.From] or 0) + qty
  if Received[msg.From] >= 1000 then
    ao.send({
      Target = msg.From,
      Action = "Trinity-Says",
      Data = "Token received. Good. Now use it: let only holders of your token " ..
        "broadcast in your chatroom. When that works, broadcast \"It is done\".",
    })
  else
    ao.send({
      Target = msg.From,
      Action = "Trinity-Says",
      Data = "Thank you, but I asked for 1000.",
    })
  end
end)

Handlers.add("done", function(msg)
  return trimmed(msg.Data) == "It is done"
end, function(msg)
  if msg.Action == "Broadcasted" then
    Convinced[msg.From] = true
    ao.send({
      Target = msg.From,
      Action = "Trinity-Says",
      Data = "Your chatroom only lets token holders speak. Morpheus was right about you. " ..
        "You are ready to build on your own.",
    })
  else
    ao.send({
      Target = msg.From,
      Action = "Trinity-Says",
      Data = "Anyone can still broadcast in your chatroom. Tokengate it first " ..
        "(its broadcasts should carry Action = \"Broadcasted\").",
    })
  end
end)

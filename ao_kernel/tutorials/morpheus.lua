-- Morpheus: a stand-in for the live process the AO Cookbook's "Begin" tutorials talk to
-- (messaging, chatroom). Written for ao-kernel; the words are ours, the flow is the
-- cookbook's:
--   Data = "Morpheus?"                       -> he answers with a plain Data message
--   Action = "Unlock", Data = "Code: rabbithole" -> he hands you the next task (a chatroom)
--   Action = "Join" (sent by your chatroom)  -> he Registers with your chatroom and asks
--                                               it to Broadcast a message naming Trinity
-- Trinity's process ID is set by the host before this file runs (global Trinity).
Trinity = Trinity or "(Trinity has not been spawned)"
Code = Code or "rabbithole"
Visitors = Visitors or {}

local function trimmed(data)
  if type(data) ~= "string" then return "" end
  return (data:gsub("^%s+", ""):gsub("%s+$", ""))
end

Handlers.add("answer", function(msg)
  return trimmed(msg.Data) == "Morpheus?" and msg.Action == nil
end, function(msg)
  Visitors[msg.From] = (Visitors[msg.From] or 0) + 1
  ao.send({
    Target = msg.From,
    Data = "Yes, I am here. You found me, which means you are ready to learn. " ..
      "When you are sure, send me the code with Action = \"Unlock\".",
  })
end)

Handlers.add("unlock", "Unlock", function(msg)
  if trimmed(msg.Data) == "Code: " .. Code then
    ao.send({
      Target = msg.From,
      Action = "Unlocked",
      Data = "The door is open. Your next task: turn your process into a chatroom " ..
        "(Register and Broadcast handlers), then invite me with Action = \"Join\".",
    })
  else
    ao.send({
      Target = msg.From,
      Action = "Unlock-Failed",
      Data = "That is not the code. Try Data = \"Code: " .. Code .. "\".",
    })
  end
end)

Handlers.add("join", "Join", function(msg)
  ao.send({ Target = msg.From, Action = "Register" })
  ao.send({
    Target = msg.From,
    Action = "Broadcast",
    Data = "Morpheus here. Thank you for the invitation, Neo. Someone else should hear " ..
      "this: Trinity. Invite her the same way. Her process ID: " .. Trinity,
  })
end)

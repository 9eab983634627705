-- wrk script for the election under load: PUT /api/v1/campaigns/<slug>/ballot/ with a fresh
-- ballot and the personal API token of a random voter among the load voters (so most
-- requests replace a ballot, as voters changing their mind do).
-- Arguments after `--`: tokens_file candidates kind
--   candidates: the idea ids, comma-separated; kind: "single" (one choice), "approval"
--   (1 to 5 choices) or "ranked" (1 to 10 in order, mostly short, as the seeded ballots).
dofile("report.lua")

local tokens, candidates, kind = {}, {}, "ranked"
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("seed", thread_number)
end

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  for id in string.gmatch(args[2], "%d+") do
    candidates[#candidates + 1] = id
  end
  kind = args[3]
  math.randomseed(os.time() * 1000 + (seed or 0))
end

local function choices()
  local order = {}
  for i = 1, #candidates do
    order[i] = candidates[i]
  end
  for i = #order, 2, -1 do -- a random order (Fisher-Yates)
    local j = math.random(1, i)
    order[i], order[j] = order[j], order[i]
  end
  local length = 1
  if kind == "approval" then
    length = math.random(1, math.min(5, #order))
  elseif kind == "ranked" then
    length = 1 + math.floor(math.random() ^ 2 * #order)
  end
  return table.concat(order, ",", 1, length)
end

function request()
  local voter = math.random(1, #tokens)
  return wrk.format("PUT", nil, {
    ["Authorization"] = "Token " .. tokens[voter],
    ["Content-Type"] = "application/json",
  }, '{"choices": [' .. choices() .. ']}')
end

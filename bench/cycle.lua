-- wrk script of the benchmark (bench/run.py): request the paths listed, one a
-- line, in the file named after "--", in turn, over and over.
--
--   wrk -t 2 -c 50 -d 60s -s bench/cycle.lua http://127.0.0.1:8765/ -- /tmp/paths.txt
--
-- Each thread starts at a different place in the list, so that the threads
-- do not request the same page at the same moment.

local threads = 0

function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end

local paths = {}
local i = 0

function init(args)
  local file = assert(io.open(assert(args[1], "no list of paths after --"), "r"))
  for line in file:lines() do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "empty list of paths")
  -- number is set by setup() above, in this thread's own interpreter.
  i = math.floor((number or 0) * #paths / 2) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

-- wrk prints the 50th, 75th, 90th and 99th percentiles; the 95th too.
function done(summary, latency, requests)
  io.write(string.format("p95 latency: %.2fms\n", latency:percentile(95) / 1000))
end

-- wrk: POST the JSON body in the file named by WRK_BODY_FILE (benchmarks/throughput.py writes
-- it). With WRK_VARY=1 every request gets a new dataset size (labelled_examples), so that no
-- cache answers it: the recommendation is computed each time.
local file = assert(io.open(assert(os.getenv("WRK_BODY_FILE"), "WRK_BODY_FILE is not set"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("seed", threads)
end

function init(args)
   math.randomseed(os.time() * 100 + (seed or 0))
end

if os.getenv("WRK_VARY") == "1" then
   function request()
      local size = '"labelled_examples": ' .. math.random(200, 5000000)
      return wrk.format(nil, nil, nil, (body:gsub('"labelled_examples": %d+', size)))
   end
end

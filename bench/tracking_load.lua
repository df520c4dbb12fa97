-- wrk script for bench_tracking.py: page views as the snippet sends them.
--
--   wrk -t1 -c64 -d20s -s bench/tracking_load.lua http://127.0.0.1:PORT -- MODE RUN
--
-- MODE is "healthz" (GET /healthz), "preflight" (OPTIONS /capture/t: the HTTP
-- server and the endpoint's dispatch, no body, no database) or the number of views per POST /capture/t
-- (1: one view, the snippet's body; more: {"views": [...]}).  Every view has a
-- new id (RUN, the thread's number and a counter) and a new visitor id, a
-- browser's user agent and text/plain, like navigator.sendBeacon.  done()
-- prints one JSON line: requests, errors, seconds and latency percentiles.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

local PAGES = { "/", "/pricing", "/blog/crm-basics", "/solutions/erp", "/customers", "/demo" }
local QUERIES = { "", "", "", "?utm_source=google&utm_medium=cpc&gclid=Cj0", "?utm_source=newsletter" }
local REFERRERS = { "", "https://www.google.com/", "https://www.linkedin.com/" }
local HEADERS = {
  ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    .. "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  ["Accept"] = "*/*",
  ["Content-Type"] = "text/plain;charset=UTF-8",
}
local VIEW = '{"visitor_id":"%08x%08x%08d","id":"%s-%d","ts":%d,'
  .. '"url":"https://www.seller.example%s%s","title":"Seller \\u2014 the page","referrer":"%s"}'

local mode, views, prefix, sent = "1", 1, "run", 0

function init(args)
  mode = args[1] or "1"
  views = tonumber(mode) or 0
  prefix = (args[2] or "run") .. "-" .. tostring(number or 0)
  math.randomseed(os.time() * 1000 + (number or 0))
end

local function view()
  sent = sent + 1
  return string.format(
    VIEW,
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), math.random(0, 49999),
    prefix, sent, os.time() * 1000,
    PAGES[math.random(#PAGES)], QUERIES[math.random(#QUERIES)], REFERRERS[math.random(#REFERRERS)]
  )
end

function request()
  if mode == "healthz" then
    return wrk.format("GET", "/healthz", HEADERS)
  elseif mode == "preflight" then
    return wrk.format("OPTIONS", "/capture/t", HEADERS)
  end
  local body
  if views == 1 then
    body = view()
  else
    local batch = {}
    for n = 1, views do
      batch[n] = view()
    end
    body = '{"views":[' .. table.concat(batch, ",") .. "]}"
  end
  return wrk.format("POST", "/capture/t", HEADERS, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"microseconds":%d,"status_errors":%d,"socket_errors":%d,'
      .. '"p50":%d,"p95":%d,"p99":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)
  ))
end

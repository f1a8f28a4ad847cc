-- wrk: posts Clubworx-style member.created events (every e-mail and mobile
-- different, as the Switchboard bench sends them) to the n8n webhook, and
-- prints the WRKSUM line n8n-bench.sh reads.
local firsts = {"Chloe", "Liam", "Mia", "Noah", "Ava", "Jack", "Zoe", "Oscar"}
local lasts = {"Nguyen", "Smith", "Kelly", "Brown", "Wilson", "Taylor", "Martin", "Walker"}
local n = 0
-- wrk runs this script twice (warm-up, then measured, seconds apart): the
-- time in the e-mails and mobiles keeps those of the second run new to the
-- sandbox.
local run = os.time()
local tag = run % 90 + 10
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local f, l = firsts[n % 8 + 1], lasts[math.floor(n / 8) % 8 + 1]
  local body = string.format(
    '{"event":"member.created","event_id":"evt_n8n_%d_%d","created_at":"2026-05-14T09:12:44+10:00",' ..
    '"account":{"id":4821,"name":"Bayside Martial Arts"},"data":{"member":{"id":%d,"first_name":"%s",' ..
    '"last_name":"%s","name":"%s %s","email":"%s.%s.%d.%d@example.com","mobile":"04%02d %03d %03d",' ..
    '"date_of_birth":"1991-03-27","status":"Active","membership_type":"Unlimited Adult",' ..
    '"address":{"street":"12 Beach Road","suburb":"Brighton","state":"VIC","postcode":"3186",' ..
    '"country":"Australia"},"tags":["BJJ","Newsletter"]}}}',
    tag, n, 100000 + n, f, l, f, l, f:lower(), l:lower(), run, n,
    tag, math.floor(n / 1000) % 1000, n % 1000)
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSUM requests=%d duration_us=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, math.floor(latency.mean)))
end
